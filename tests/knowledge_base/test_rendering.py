from knowledge_base.rendering import render_markdown


def test_scripts_and_event_handlers_are_rendered_harmless():
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        '<a href="#" onclick="steal()">x</a> [y](javascript:alert(3)) <iframe src="//e.vil"></iframe>'
    )
    assert "<script" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html and "<img" not in html


def test_markdown_tables_quotes_and_emphasis_survive():
    html = render_markdown("> Речевой модуль **важно**\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<blockquote>" in html
    assert "<strong>важно</strong>" in html
    assert "<table>" in html and "<td>2</td>" in html
