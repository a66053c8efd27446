"""The Content-Security-Policy of a response that is not a page: an SVG file.

Pages get the site's policy (CONTENT_SECURITY_POLICY in settings, set by
lumbar.web.security.middleware.ContentSecurityPolicyMiddleware). An exercise figure opened as a file
(`/exercises/<id>/<frame>.svg`) is a document of its own, and the animated one keeps its
reduced-motion rule in a <style> element, which `style-src 'self'` would refuse. Its policy allows
that element by its hash and nothing else: an SVG file loads nothing and runs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)


def style_hashes(document: str) -> list[str]:
    """`'sha256-...'` of each <style> element's text, as CSP computes it."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"
        for text in _STYLE_ELEMENT.findall(document)
    ]


def svg_file_policy(svg: str) -> str:
    """The whole policy of an SVG file: its own <style> elements, nothing else, never framed."""
    styles = " ".join(dict.fromkeys(style_hashes(svg))) or "'none'"
    return f"default-src 'none'; style-src {styles}; frame-ancestors 'none'"
