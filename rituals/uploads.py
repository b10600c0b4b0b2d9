"""Files a sprint's circles attach to their artifact: what they may be, judged by content.

A file's name and the type the browser claims are the sender's word; the bytes are not. So
each upload is recognised by its first bytes (and, for a ZIP-based document, by the entry
that names its kind), and anything else is refused, whatever it is called: an executable
named ``minutes.pdf`` is an executable. The list is short on purpose — documents and
pictures people forge in 72 hours — and nothing on it runs in a browser by being opened
(no HTML, no SVG); the download view sends every file as an attachment anyway.

``ArtifactSizeLimit`` is the first upload handler (``FILE_UPLOAD_HANDLERS``): past
``ARTIFACT_MAX_BYTES`` it stops storing a file, so a huge upload never fills the disk, and
hands the form a stand-in that only knows the size, so the person is told the file is too
large rather than that nothing came.
"""

import codecs
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", ".pdf", "PDF")
PNG = Kind("image/png", ".png", "PNG")
JPEG = Kind("image/jpeg", ".jpg", "JPEG")
TEXT = Kind("text/plain; charset=utf-8", ".txt", _("plain text or Markdown (UTF-8)"))
MARKDOWN = Kind("text/markdown; charset=utf-8", ".md", "Markdown")
ODT = Kind("application/vnd.oasis.opendocument.text", ".odt", "ODT")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"
)

ALLOWED = (PDF, PNG, JPEG, TEXT, ODT, DOCX)  # Markdown is text that says it is Markdown
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TEXT: (".txt", ".text"),
    MARKDOWN: (".md", ".markdown"),
    ODT: (".odt",),
    DOCX: (".docx",),
}
MARKDOWN_NAMES = EXTENSIONS[MARKDOWN]
# Control characters a text file has no business holding (tab, line feed, form feed and
# carriage return are fine).
_CONTROL = {chr(code) for code in range(32)} - {"\t", "\n", "\x0c", "\r"} | {"\x7f"}
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def allowed_labels():
    return ", ".join(str(kind.label) for kind in ALLOWED)


def kind_of(upload):
    """The allowed kind of this uploaded file, read from its bytes, or None. Leaves the file
    at its start."""
    try:
        upload.seek(0)
        head = upload.read(64)
        upload.seek(0)
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _document_kind(upload)
        if _is_utf8_text(upload):
            name = (upload.name or "").lower()
            return MARKDOWN if name.endswith(MARKDOWN_NAMES) else TEXT
        return None
    finally:
        upload.seek(0)


def _document_kind(upload):
    """An OpenDocument text (its first entry, ``mimetype``, says so, stored as is) or a Word
    document (its parts say so), carrying no macros; any other ZIP is refused. Only the
    archive's directory and one small entry are read, so no archive can unpack itself into
    memory here."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if any(_is_macro(name) for name in names):
                return None
            first = entries[0] if entries else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.compress_type == zipfile.ZIP_STORED
                and first.file_size == len(_ODF_MIMETYPE)
                and archive.read(first) == _ODF_MIMETYPE
                and "content.xml" in names
            ):
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        return None
    return None


def _is_macro(name):
    """Word's macro project, or an OpenDocument's Basic or script folders: a document that
    carries code is not one the artifact takes."""
    return name.lower().endswith("vbaproject.bin") or name.startswith(("Basic/", "Scripts/"))


def _is_utf8_text(upload):
    """Every byte decodes as UTF-8 and no character is a control character but the usual
    whitespace: read chunk by chunk, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        for chunk in upload.chunks():
            if _CONTROL & set(decoder.decode(chunk)):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def download_name(original_name, kind_content_type):
    """The name a download is saved under: the name it came with, ending in an extension of
    the type it really is (``notes.exe`` that is a PDF downloads as ``notes.exe.pdf``)."""
    kind = next((kind for kind in EXTENSIONS if kind.content_type == kind_content_type), None)
    if kind is None or original_name.lower().endswith(EXTENSIONS[kind]):
        return original_name
    return original_name + kind.extension


def clean_name(name):
    """The uploaded file's own name, without any folder, control character or excess."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char not in _CONTROL).strip().lstrip(".")
    return name[-150:] or "file"


class TooLargeUpload(UploadedFile):
    """Stands for a file that went past the limit: its size as far as it was read, and no
    content at all."""

    def __init__(self, name, content_type, size, charset=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class ArtifactSizeLimit(FileUploadHandler):
    """Passes each file's bytes on to the next handlers until ``ARTIFACT_MAX_BYTES``; beyond
    that it keeps none of them and answers with a ``TooLargeUpload``."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.ARTIFACT_MAX_BYTES
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # the handlers after this one get nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.received > self.limit:
            return TooLargeUpload(self.file_name, self.content_type, self.received, self.charset)
        return None
