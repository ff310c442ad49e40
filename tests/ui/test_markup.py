"""Story text is author markup; broken markup or odd player text must show, never crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kuzbass_game import text as markup_text
from kuzbass_game.engine import load_story
from kuzbass_game.ui import markup
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.widgets.choices import ChoiceList

from .test_play import SIZE, story_text, text_of

BROKEN = """\
nodes:
  start:
    chapter: "Chapter [/i]one"
    text: |
      A [bold]bold[/bold] start, then a stray [/u] tag.
    choices:
      - text: "Go [on"
        goto: end
  end:
    text: "Done."
    ending:
      title: "The [/] end"
"""


def test_markup_renders_and_broken_markup_shows_as_written():
    assert markup.story("[b]x[/b]").plain == "x"
    assert markup.story("\\[b]x").plain == "[b]x"
    assert markup.story("stray [/i] tag").plain == "stray [/i] tag"
    assert markup.story(None).plain == ""
    assert markup.plain("[b]x[/b]").plain == "[b]x[/b]"


@given(st.text(alphabet=st.sampled_from(list("ab[]/\\=$ #\n")), max_size=40))
def test_any_text_renders_and_never_loses_or_invents_a_letter(text):
    rendered = markup.story(text)
    if not text:
        assert rendered.plain == ""
    elif "[" not in text:
        assert rendered.plain == text  # nothing to read as markup: shown as written
    # Tags are taken out, never words: every letter shown was typed, and no letter typed outside a tag is lost.
    outside = "".join(part.split("]", 1)[-1] for part in text.split("["))
    for letter in "ab#$=":
        assert outside.count(letter) <= rendered.plain.count(letter) <= text.count(letter)


@given(st.text(alphabet=st.sampled_from(list("ab[]/\\=$ #\n")), max_size=40))
def test_a_markup_problem_is_placed_on_a_tag(text):
    found = markup_text.markup_problem_at(text)
    assert (found is None) == (markup_text.markup_problem(text) is None)
    if found is not None:
        offset, problem = found
        assert text[offset] == "[" and problem == markup_text.markup_problem(text)


def test_placing_a_problem_in_a_long_text_parses_it_a_few_times_only(monkeypatch):
    text = "[b]w[/b] " * 1_500 + "a stray [/i] here " + "[i]x[/i] " * 500
    calls = []
    real = markup_text.markup_problem
    monkeypatch.setattr(markup_text, "markup_problem", lambda markup: calls.append(1) or real(markup))
    offset, problem = markup_text.markup_problem_at(text)
    assert text[offset:].startswith("[/i] here") and "[/i]" in problem
    assert len(calls) <= 15  # a bisection over 4,001 tags, not a parse per tag
    huge = "x" * markup_text.MAX_PLACED_LENGTH + " [/i]"
    assert markup_text.markup_problem_at(huge) == (0, markup_text.markup_problem(huge))


async def test_a_story_with_broken_markup_still_plays(make_app, tmp_path):
    folder = tmp_path / "broken"
    (folder / "scenes").mkdir(parents=True)
    (folder / "manifest.yaml").write_text('id: broken\ntitle: "Broken [b"\nstart: start\n', encoding="utf-8")
    (folder / "scenes" / "all.yaml").write_text(BROKEN, encoding="utf-8")
    story = load_story(folder).story  # the engine alone: `kuzbass check` would refuse this story
    assert story is not None
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        assert "then a stray [/u] tag." in story_text(screen)
        assert "Chapter [/i]one" in screen.query_one("#status").plain
        item = screen.query_one(ChoiceList).get_option_at_index(0)
        assert item.prompt.plain == "Go [on"
        await pilot.press("1")
        await pilot.pause()
        assert text_of(app.screen.query_one("#ending-title")) == "The [/] end"


_MARKUP_PIECES = st.sampled_from(
    [
        "[",
        "]",
        "/",
        "i",
        "b",
        " ",
        "x",
        "\\",
        "-",
        "=",
        "#",
        "1",
        "@",
        "\n",
        "bold",
        "red",
        "on",
        "[i]",
        "[/i]",
        "[/]",
        "[b]",
        "[/b]",
        "[bold red]",
        "[/bold red]",
    ]
)


@given(st.lists(_MARKUP_PIECES, max_size=16).map("".join))
def test_markup_found_plainly_fine_without_textual_is_markup_textual_accepts(text):
    """`kuzbass check` imports no Textual for plain markup: what it passes unparsed, Textual's parser must accept."""
    from textual.markup import to_content

    if markup_text.plainly_fine(text):
        assert markup_text.markup_to_plain(text) == to_content(text).plain
    elif "[" not in text:
        assert markup_text.markup_to_plain(text) == to_content(text).plain


def test_plain_markup_is_told_fine_and_the_rest_is_left_to_the_parser():
    for fine in ("no tags", "[i]Ferry[/i] and [bold red]coal[/bold red]", "[b]open to the end", "[dim]a [i]b[/i][/]", "a ] alone"):
        assert markup_text.plainly_fine(fine), fine
    for odd in ("[/i] stray", "[b]x[/i]", "\\[escaped]", "[]", "[#ff0000]red[/]", "[b]x[/bold]", "[b][i]x[/b][/i]"):
        assert not markup_text.plainly_fine(odd), odd


def test_kuzbass_check_on_the_campaign_imports_no_textual():
    import subprocess
    import sys

    code = (
        "import sys\nfrom kuzbass_game.cli import main\nmain(['check', 'story'])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\nassert not bad, bad[:5]"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=markup_text.__file__.rsplit("/kuzbass_game/", 1)[0], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
