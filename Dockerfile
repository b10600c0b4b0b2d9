FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_MANIFEST=true VAR_DIR=/app/var
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --create-home constellation && mkdir -p var /data/media \
 && chown -R constellation /app/var /data/media
USER constellation
EXPOSE 8000
CMD ["gunicorn", "constellation.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
