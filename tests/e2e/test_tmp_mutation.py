from pathlib import Path
from tests.e2e.test_keyboard import *  # noqa
from tests.e2e.test_keyboard import unmarked_focus_stops, sign_in_by_keyboard, tab_to

CSS = Path("static/css/app.css").read_text() + "\n:focus-visible, a:focus { outline: none !important; }\n"

def test_mutated(new_context, pages_to_tab_through, alice):
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_by_keyboard(page, alice.user.email)
    page.route(re.compile(r".*\.css.*"), lambda route: route.fulfill(body=CSS, content_type="text/css"))
    page.goto(pages_to_tab_through["pool"])
    print("MUTATED", unmarked_focus_stops(page))
    page.goto(pages_to_tab_through["pool"])
    tab_to(page, page.get_by_role("button", name="No such button"))
