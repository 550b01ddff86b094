"""The page tells htmx its settings in one `htmx-config` tag: htmx reads the first one only."""

import json
from html.parser import HTMLParser

HTMX_CONFIG = {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


class _MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.htmx_configs: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "htmx-config":
            self.htmx_configs.append(values["content"])


def htmx_configs(html: str) -> list[dict]:
    parser = _MetaTags()
    parser.feed(html)
    return [json.loads(content) for content in parser.htmx_configs]


def test_the_search_page_has_one_htmx_config_with_every_setting(coder_client):
    response = coder_client.get("/")
    assert response.status_code == 200
    assert htmx_configs(response.content.decode()) == [HTMX_CONFIG]


def test_the_login_page_has_the_same_single_htmx_config(client):
    response = client.get("/accounts/login/")
    assert htmx_configs(response.content.decode()) == [HTMX_CONFIG]
