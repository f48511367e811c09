"""Rules for header injection, message framing, certificate errors, DOM sinks and named weaknesses.

Each rule on lines from real commits of the security-detector corpus
(``benchmarks/security_corpus``, dev split; attribution per case): one line it hits, and a
line from the same code (or from an ordinary commit it used to flag) that it must not hit.
"""

from __future__ import annotations

from pr_router.changes import _context

from .rule_cases import assert_rule_case, rule_cases, sensitive
from .rule_cases import one_hunk_diff as _diff

# (rule, positive diff, negative diff, attribution of both)
CASES = [
    (
        "injection-guard",
        _diff(
            "python3/httplib2/__init__.py",
            [
                '            uri = uri.replace(" ", "%20").replace("\\r", "%0D").replace("\\n", "%0A")'
            ],
        ),
        # spaces only: no CR or LF taken out of the value
        _diff("python3/httplib2/__init__.py", ['            uri = uri.replace(" ", "%20")']),
        "httplib2/httplib2 a1457cc31f32 (MIT): CR and LF percent-encoded in a request URI "
        "(CWE-93, CVE-2020-11078), and its space-only part",
    ),
    (
        "http-headers",
        _diff("aiohttp/http_parser.py", ['            if "chunked" in te_lower:']),
        # a chunk of a file read backwards: no HTTP body framing
        _diff(
            "scrapy/utils/python.py",
            ["    pattern: Union[str, Pattern], text: str, chunk_size: int = 1024"],
        ),
        "aio-libs/aiohttp f016f0680e4a (Apache-2.0: Transfer-Encoding chunked parsing); "
        "scrapy/scrapy d400f1ac0664 (BSD-3-Clause)",
    ),
    (
        "tls",
        _diff("qutebrowser/browser/webkit/webkittab.py", ["    def _on_ssl_errors(self, reply):"]),
        _diff("src/werkzeug/debug/__init__.py", ["        except IOError:"]),
        "qutebrowser/qutebrowser 021ab572a319 (GPL-3.0: which hosts had certificate errors); "
        "pallets/werkzeug 00bc43b1672e (BSD-3-Clause)",
    ),
    (
        "tls",
        _diff(
            "keylime/cloud_verifier_tornado.py",
            ["                    agent_data['mtls_cert'] = json_body.get('mtls_cert', None)"],
        ),
        _diff(
            "keylime/cloud_verifier_tornado.py",
            ["                    agent_data['ak_tpm'] = json_body['ak_tpm']"],
        ),
        "keylime/keylime bd5de712acdd (Apache-2.0): where the agent's mutual-TLS certificate "
        "comes from, and the line next to it",
    ),
    (
        "escaping",
        _diff(
            "indico/web/client/js/jquery/utils/misc.js",
            ["    message = $('<div>', {width: 400, html: message});"],
        ),
        # the fix: the same element with its content as text
        _diff(
            "indico/web/client/js/jquery/utils/misc.js",
            ["    message = $('<div>', {width: 400, text: message});"],
        ),
        "indico/indico 2ee636d31865 (MIT): a confirmation prompt's message inserted as HTML "
        "(CVE-2023-37901), and the fix",
    ),
    (
        "escaping",
        _diff(
            "indico/modules/categories/templates/management/base.html",
            ['       data-confirm="{{ confirmation_message|forceescape }}"'],
        ),
        _diff(
            "indico/modules/categories/templates/management/base.html",
            ["        {% endtrans %}"],
        ),
        "indico/indico 2ee636d31865 (MIT)",
    ),
    (
        "escaping",
        _diff(
            "synapse/push/mailer.py",
            ["        bleach.linkify(bleach.clean(raw_text, tags=[], attributes={}, strip=False))"],
        ),
        # the sanitiser library's own modules name it everywhere: an import is no sink
        _diff(
            "bleach/__init__.py",
            ["__version__ = '3.0.0.dev0'"],
            section="from bleach.sanitizer import (",
        ),
        "matrix-org/synapse e54746bdf7d5 (Apache-2.0); mozilla/bleach b07814e0753c (Apache-2.0)",
    ),
    (
        "escaping",
        _diff(
            "djrill/mail/backends/djrill.py",
            ["            msg_dict['from_email'] = sanitize_address(from_email, 'utf-8')"],
        ),
        _diff("bleach/__init__.py", ["from .sanitizer import BleachSanitizer"]),
        "anymail/django-anymail 91b846fea31f (BSD-3-Clause); mozilla/bleach db24c3b8822e "
        "(Apache-2.0)",
    ),
    (
        "advisory-id",
        _diff(
            "nltk/tokenize/punkt.py",
            ["        Since the fix for the ReDOS discovered in issue #2866, we no longer match"],
        ),
        _diff(
            "nltk/tokenize/punkt.py",
            [
                "        regex for this. As a consequence, `finditer`'s desire to find non-overlapping"
            ],
        ),
        "nltk/nltk 1405aad979c6 (Apache-2.0: a ReDoS fix, CVE-2021-43854)",
    ),
    (
        "advisory-id",
        _diff(
            "python3/httplib2/__init__.py",
            ["            # Prevent CWE-93 CRLF injection to modify headers via part of uri."],
        ),
        _diff("python3/httplib2/__init__.py", ['            # print("!!! recv", chunk)']),
        "httplib2/httplib2 a1457cc31f32 (MIT)",
    ),
    (
        "http-headers",
        _diff(
            "keylime/web_util.py",
            ["        handler.send_header('Content-Type', 'application/json')"],
        ),
        # an XHTML page is a template: its meta tag names a header, it does not send one
        _diff(
            "docs/source/interactive/figs/jn.xhtml",
            ['<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'],
        ),
        "keylime/keylime 84ef57d526c8 (Apache-2.0); ipython/ipython 2d7dac1ceb9b (BSD-3-Clause)",
    ),
    (
        "parsing",
        _diff(
            "src/twisted/web/http.py",
            ["            length = int(self._buffer[0:endOfLengthIndex], 16)"],
        ),
        # a decimal Content-Length read: no base-16 parsing (the length is another rule's)
        _diff("src/twisted/web/http.py", ["                length = int(data)"]),
        "twisted/twisted 592217e95136 (MIT: the chunk-size parser of GHSA-c2jg-hw38-jrqq)",
    ),
    (
        "url-redirect",
        _diff(
            "flask_appbuilder/security/views.py",
            ["            return redirect(self.appbuilder.get_url_for_login)"],
        ),
        # in a template the word is text: a reference page about the option
        _diff(
            "ref/http-objects.html",
            [
                "<dl><dt><b><tt id='l2h-18' xml:id='l2h-18' "
                'class="member">follow_redirects</tt></b></dt>'
            ],
        ),
        "dpgaspar/Flask-AppBuilder 6af285215895 (BSD-3-Clause: a view's redirect); "
        "httplib2/httplib2 88ada9a2bb55 (MIT)",
    ),
]


@rule_cases(CASES)
def test_rule_hits_the_real_line_and_not_its_counterpart(
    rule: str, positive: bytes, negative: bytes, source: str
) -> None:
    assert_rule_case(rule, positive, negative, source)


def test_a_tokenizer_is_no_token_handling() -> None:
    """An enclosing function about tokens is security context; a text tokenizer is not."""
    # httplib2/httplib2 bd9ee252c8f0 (MIT); nltk/nltk 9918f52214c0 (Apache-2.0)
    assert _context._enclosing("def _wsse_username_token(cnonce, iso_now, password):")
    assert _context._enclosing("class tweettokenizer:") is None
    guard = _diff("nltk/tokenize/twitter.py", ["        if tokenise(s) == toks:"], section="")
    in_tokenizer = _diff(
        "nltk/tokenize/twitter.py",
        ["        if tokenise(s) == toks:"],
        section="def tokenize(self, text):",
    )
    assert "guard" not in sensitive(guard)
    assert "guard" not in sensitive(in_tokenizer)
