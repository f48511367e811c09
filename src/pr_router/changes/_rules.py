"""The security-sensitivity rules, as data: category, anchors, pattern, reason, severity.

Content rules see the added and removed lines and the hunk headers' section text
(the enclosing function, which names the parser a one-line fix sits in).
They work in two steps. One regex pass over a file's lower-cased added
and removed lines finds the *anchors* of all rules at once (literal words,
compiled into a trie). Only on a line where an anchor is found does the rule's
own ``pattern`` run, to confirm it. So the anchors must be literal lower-case
text that every match of ``pattern`` contains. Patterns are line-local and run
in linear time: no nested quantifiers, every ``[^...]`` run is bounded.

Most rules match names and calls (``calls=True``): for them an import line
(``import x``, ``from x import y``) is a hit only when no other changed line of
the file is; the line that uses the name is the better reason.
``STRENGTH`` orders the categories for the reason the router quotes first.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pr_router.changes.model import FileKind

Scope = Literal["code", "migration", "template", "ci", "config"]

# Which content rules apply to which kind of file; other kinds are not scanned
# (docs, tests, assets, lockfiles, generated and vendored code).
SCOPE_OF_KIND: dict[FileKind, Scope] = {
    FileKind.CODE: "code",
    FileKind.MIGRATION: "migration",
    FileKind.CI: "ci",
    FileKind.CONFIG: "config",
    FileKind.DEPENDENCY: "config",
}


class ContentRule(NamedTuple):
    """Changed lines matching ``pattern`` make a change security-relevant."""

    category: str
    anchors: tuple[str, ...]
    pattern: str
    reason: str
    severity: Literal["medium", "high"]
    scopes: tuple[Scope, ...] = ("code",)
    calls: bool = True  # matches names and calls: an import line is only a last resort
    unless: str = ""  # a line matching this (lower-cased) is not a hit of the rule


class PathRule(NamedTuple):
    """A file path (lower-cased) that makes any change to it security-relevant."""

    category: str
    pattern: str
    reason: str
    severity: Literal["medium", "high"]
    # Literal text that every match of ``pattern`` holds: a path with none of any rule's
    # stems is decided without the regex (most paths). Empty: no such test for the rule.
    stems: tuple[str, ...] = ()


def _words(text: str, *spaced: str) -> tuple[str, ...]:
    """Anchors written as one space-separated string, then any that hold a space or tab."""
    return (*text.split(), *spaced)


_SEG = r"(?:^|[/_.-])"  # start of a path segment or of a word inside one
_END = r"(?=[/_.-]|$)"

CONTENT_RULES: tuple[ContentRule, ...] = (
    ContentRule(
        "url-redirect",
        _words("redirect location referer"),
        r"\b\w{0,40}redirect\w*|[\"']location[\"']|\b(?:http_)?referer\b",
        "follows or builds a redirect / Location header",
        "medium",
    ),
    ContentRule(
        "url-parsing",
        _words(
            "urlparse urlsplit urlunsplit urlunparse urljoin urlencode parse_url url_parse url_join "
            "url_quote url_unquote url_fix iri_to_uri "
            "uri_to_iri quote_plus unquote parse_qs netloc userinfo idna punycode normalize_url "
            "normalise_url urlmatch percent"
        ),
        r"\b(?:urlparse|urlsplit|urlunsplit|urlunparse|urljoin|urlencode|parse_url|url_parse"
        r"|url_join|url_quote|url_unquote|url_fix|iri_to_uri|uri_to_iri|quote_plus|unquote\w*"
        r"|parse_qsl?|netloc|userinfo|idna|punycode|normali[sz]e_url\w*|urlmatch\w*)\b"
        r"|\w*_normali[sz]e_url|percent[-_ ]?(?:en|de)cod",
        "parses, normalises or builds URLs",
        "medium",
    ),
    ContentRule(
        "http-headers",
        _words(
            "'host \"host set-cookie cookie authorization content-length transfer-encoding "
            "content-disposition content-type x-forwarded- forwarded www-authenticate parse_ dump_ "
            "quote_ \\r\\n "
            "status_line request_line start_line http/{ http/% content-security-policy "
            "x-frame-options x-content-type-options strict-transport-security referrer-policy "
            "permissions-policy cross-origin- content_length transfer_encoding chunk"
        ),
        r"[\"'](?:host|set-cookie|cookie|authorization|proxy-authorization|content-length"
        r"|transfer-encoding|content-disposition|content-type|x-forwarded-[a-z-]{1,20}|forwarded"
        r"|www-authenticate)[\"']|\b(?:parse|dump|quote|unquote)_\w{0,30}header|\\r\\n"
        r"|\b(?:status|request|start)_line\b|http/(?:\{|%)"
        # message framing: the body's length, its transfer coding, chunked bodies and extensions
        r"|\b(?:content|expected)_length\b|\btransfer_encoding\b|\bchunk_?ext\w*"
        r"|\bchunked\b"
        # the browser's security headers
        r"|\b(?:content-security-policy|x-frame-options|x-content-type-options|referrer-policy"
        r"|strict-transport-security|permissions-policy|cross-origin-[a-z-]{1,20})\b",
        "reads or writes HTTP headers (security headers included)",
        "medium",
    ),
    ContentRule(
        "parsing",
        _words(
            "parse decode unquote unescape normaliz normalis tokeniz tokenis split get_host "
            "read_header ,16)",
            ", 16)",
            ",\t16)",
        ),
        r"\b(?:def|fn|func|function)[ \t]+_?(?:parse|decode|unquote|unescape|normali[sz]e"
        r"|tokeni[sz]e|split|get_host|read_header)\w*"
        r"|\b(?:parse|unquote|unescape|normali[sz]e|tokeni[sz]e)_\w+[ \t]?\("
        # a number read in base 16: chunk sizes, character references, percent escapes
        r"|\bint\([^()\n]{0,60},[ \t]?16\)",
        "changes parsing / decoding code",
        "medium",
    ),
    ContentRule(
        "input-validation",
        _words("validat sanitiz is_safe issafe is_valid isvalid"),
        # a function that validates or sanitises input is defined (Python, JS, Go, Rust)
        r"\b(?:def|function|func|fn)[ \t]+_?(?:validat|sanitiz|is_?safe|is_?valid)\w*"
        r"|\b(?:var|let|const)[ \t]+_?(?:validat|sanitiz|is_?safe|is_?valid)\w*[ \t]?="
        r"[ \t]?(?:function\b|\()"
        r"|^[ \t]*_?(?:validat|sanitiz|is_?safe|is_?valid)\w*[ \t]?:[ \t]?function\b",
        "defines or changes a function that validates or sanitises input",
        "medium",
    ),
    ContentRule(
        "escaping",
        _words(
            "html.escape escape_html xhtml_escape cgi.escape markupsafe markup( mark_safe "
            "format_html autoescape bleach nh3 sanitiz innerhtml outerhtml insertadjacenthtml "
            "dangerouslysetinnerhtml document.write render_template_string escape( escapejs "
            "htmlentities htmlspecialchars |safe v-html .html( html\" html' {{{ <%- |raw "
            '|n} striptags \'< "< `< javascript: encodeuri {@html html_quote ="structure '
            "='structure forceescape $('< $(\"< $(`<",
            "| safe",
            "|\tsafe",
        ),
        r"\b(?:html\.escape|escape_html|xhtml_escape|cgi\.escape|markupsafe|mark_safe|format_html"
        r"|autoescape|forceescape|innerhtml|outerhtml|insertadjacenthtml"
        r"|dangerouslysetinnerhtml|document\.write|render_template_string|escapejs|htmlentities"
        r"|htmlspecialchars|striptags)\b|\b(?:markup|\w*escape)\(|\|[ \t]?safe\b|\bv-html\b"
        # a sanitiser called (its name alone is no sink: a library's modules say it everywhere)
        r"|\b(?:bleach|nh3)\.(?:clean|linkify)\(|\bsanitiz\w*[ \t]?\("
        # a jQuery element made from a tag string with its content given as HTML
        r"|\$\([ \t]?[\"'`]<[a-z][^)\n]{0,80}\bhtml[ \t]?:"
        r"|\.html\([ \t]?[^)\s]|[\"']html[\"'][ \t]?:|\{\{\{|<%-|\|[ \t]?raw\b|\|n\}"
        # HTML built from strings: a tag joined to a value, formatted, or in a template literal
        r"|[\"'`]<[a-z/][^\"'`\n]{0,80}[\"'`][ \t]?\+|\+[ \t]?[\"'`]<[a-z/]"
        r"|[\"']<[a-z][^\"'\n]{0,80}(?:%s|%\(|\{[a-z_])|`<[a-z][^`\n]{0,200}\$\{"
        r"|\bjavascript:|\bencodeuri(?:component)?\b"
        r"|\{@html\b"  # Svelte's raw-HTML tag
        # Zope: DTML's html_quote, TAL's "structure" (inserted without escaping)
        r"|\bhtml_quote\b|(?:content|replace|attributes)=[\"']structure\b",
        "escapes or renders HTML / markup (a template or DOM sink)",
        "medium",
        ("code", "migration"),
    ),
    ContentRule(
        "file-paths",
        _words(
            "normpath abspath safe_join send_file send_from_directory ../ "
            "shutil. realpath readlink symlink chroot mkstemp mktemp tmpnam o_nofollow .resolve( extract "
            "relative_to commonpath commonprefix secure_filename follow_symlinks"
        ),
        r"\bos\.path\.(?:normpath|abspath|realpath|commonpath|commonprefix)\b"
        r"|\bsafe_join\b|\bsend_(?:file|from_directory)\b|[\"'/]\.\./|\bextract(?:all)?\("
        r"|\bshutil\.(?:rmtree|copy\w*|move)\b|\b(?:realpath|readlink|symlink|chroot"
        r"|mkstemp|mktemp|tmpnam)[ \t]?\(|\bo_nofollow\b|\.resolve\([^)]{0,40}\)"
        r"|\b(?:is_)?relative_to\(|\bsecure_filename\b|\bfollow_symlinks\b",
        "builds or resolves file-system paths (traversal, symlinks, archives)",
        "medium",
        ("code", "migration"),
        # A JS/TS relative import names a module, not a file the program opens.
        unless=r"^[ \t]*(?:import|export)\b|\brequire\([ \t]?[\"']|\bfrom[ \t]+[\"']|@import\b",
    ),
    ContentRule(
        "permissions",
        _words(
            "chmod chown umask setuid setgid seteuid setegid os.access s_iwoth s_irwxo s_isuid "
            "s_isgid 07 0o7 666"
        ),
        r"\b(?:f?chmod|l?chown|umask|setuid|setgid|seteuid|setegid|os\.access|s_iwoth|s_irwxo"
        r"|s_isuid|s_isgid)\b|\b0o?7[0-7]{2}\b|\b0o?666\b",
        "changes file permissions or process privileges",
        "high",
        ("code", "config"),
    ),
    ContentRule(
        "deserialization",
        _words(
            "pickle marshal shelve dill objectinputstream binaryformatter xmldecoder yaml. "
            "object_hook object_pairs_hook __reduce __setstate__ unserialize unpickler"
        ),
        # The loading side only: a module named "marshal" or a DRF serializer is not a sink.
        r"\b(?:c?pickle|marshal|dill|jsonpickle|cloudpickle)\.(?:loads?|unpickler)\b|\bunpickler\b"
        r"|\bshelve\.open\b|\b(?:objectinputstream|binaryformatter|xmldecoder)\b"
        r"|\byaml\.(?:load|unsafe_load|full_load|load_all)\b|\bobject_(?:pairs_)?hook\b"
        r"|__reduce(?:_ex)?__|__setstate__|\bunserialize[ \t]?\(",
        "deserialises data that may come from outside (pickle, yaml.load, marshal ...)",
        "high",
    ),
    ContentRule(
        "shell",
        _words(
            "subprocess os.system os.popen os.exec os.spawn shell eval exec system popen "
            "posix_spawn child_process runtime. processbuilder run_command start_command "
            "pipe_command sandbox jinja from_string import_module __import__"
        ),
        r"\bsubprocess\b|\bos\.(?:system|popen|exec\w*|spawn\w*)\b|\bshell[ \t]?=[ \t]?true\b"
        r"|\b(?:eval|exec|system|popen|execvp?e?|execlp?e?|posix_spawnp?)[ \t]?\(|\bchild_process\b"
        r"|\bruntime\.getruntime\b|\bprocessbuilder\b|\b(?:run|start|pipe)_command\b"
        # templates rendered from strings (server-side template injection), dynamic imports
        r"|\bsandbox\w*|\bjinja2?\.(?:environment|template)\b|\w*(?:env|environment|jinja\w*)\.from_string\("
        r"|\bimport_module\(|\b__import__\(",
        "runs a command or evaluates code (templates from strings, dynamic imports)",
        "high",
    ),
    ContentRule(
        "sql",
        _words(
            "select insert delete update drop alter truncate .execute .executemany "
            ".executescript cursor rawsql"
        ),
        r"\bselect\b[^\n]{0,80}?\bfrom\b|\binsert[ \t]+into\b|\bdelete[ \t]+from\b"
        r"|\bupdate[ \t]+[\w.\"`]{1,64}[ \t]+set\b|\b(?:drop|alter|truncate)[ \t]+table\b"
        # a query call counts when the query is built on the line (formatting, concatenation)
        r"|\.(?:execute|executemany|executescript)[ \t]?\([^\n]{0,200}?(?:%|\.format\(|\bf[\"']|\+)"
        r"|\bcursor[ \t]?\(|\brawsql\b",
        "builds or runs SQL",
        "high",
    ),
    ContentRule(
        "tls",
        _words(
            "verify cert_none check_hostname ssl wrap_socket load_verify_locations "
            "load_cert_chain load_default_certs cert_reqs ca_certs assert_hostname "
            "assert_fingerprint protocol_tls tlsversion set_ciphers match_hostname pyopenssl "
            "curlopt_ssl_ insecure ssl_error sslerror certificate_error certificateerror cert_error "
            "mtls"
        ),
        r"\bverify[ \t]?=[ \t]?false\b|\bcert_none\b|\bcheck_hostname\b|\bssl_?context\b"
        r"|\bcreate_default_context\b|\bwrap_socket\b|\bload_(?:verify_locations|cert_chain"
        r"|default_certs)\b|\bcert_reqs\b|\bca_certs\b|\bassert_(?:hostname|fingerprint)\b"
        r"|\bprotocol_tls\w*|\btlsversion\b|\bset_ciphers\b|\bmatch_hostname\b|\bssl\.\w+"
        r"|\bpyopenssl\b|\bsslverify\b|\bcurlopt_ssl_\w+|\w*insecure\w*"
        # a certificate error caught, remembered or shown; a client's mutual-TLS certificate
        r"|\w*(?:ssl|certificate|cert)_?errors?\b|\bmtls\w*",
        "changes TLS or certificate verification",
        "high",
        ("code", "config"),
    ),
    ContentRule(
        "crypto",
        _words(
            "hashlib hmac compare_digest md5 sha1 sha256 sha512 cryptography crypto. bcrypt "
            "scrypt pbkdf2 argon2 encrypt decrypt random. secrets.token os.urandom math.random "
            "x509 xmlsec"
        ),
        r"\bhashlib\.\w+|\bhmac\b|\bcompare_digest\b|\b(?:md5|sha1|sha256|sha512)[ \t]?\("
        r"|\bcryptography\b|\bcrypto\.\w+|\bbcrypt\b|\bscrypt\b|\bpbkdf2\w*|\bargon2\w*"
        r"|\b(?:en|de)crypt\w*[ \t]?\(|\brandom\.(?:random|randint|choice|randrange|getrandbits)\b"
        r"|\bsecrets\.token\w*|\bos\.urandom\b|\bmath\.random\b"
        # certificates and XML signatures (which key data a signature check accepts)
        r"|\bx509\w*|\bxmlsec\w*",
        "hashes, encrypts, signs or draws random values (secrets, certificates)",
        "high",
    ),
    ContentRule(
        "auth",
        _words(
            "password passwd passphrase secret_key api_key apikey access_token refresh_token "
            "auth_token id_token bearer credential authenticat authori auth login logout "
            "is_admin is_superuser csrf xsrf jwt oauth saml basic_auth basicauth digest_auth "
            "digestauth netrc pin_code pincode"
        ),
        r"\b(?:password|passwd|passphrase|secret_key|api_?key|access_token|refresh_token"
        r"|auth_token|id_token|bearer|credentials?|authenticat\w*|authori[sz]\w*|auth|login"
        r"|logout|is_admin|is_superuser|csrf\w*|xsrf\w*|jwt|oauth\w*|saml|basic_?auth"
        r"|digest_?auth|netrc|pin_?code)\b",
        "handles authentication, credentials or permissions",
        "high",
        ("code", "config"),
    ),
    ContentRule(
        "access-control",
        _words(
            "perm is_superuser is_staff is_owner owner can_view can_edit can_delete "
            "can_change can_access can_read can_write can_see can_manage forbidden "
            "permissiondenied access_denied unauthori 403 401 is_public visible_to "
            "login_required admin_required authenticated privileg has_role role_ is_anonymous "
            "allowed_ role permission"
        ),
        r"\b(?:has_perms?|has_\w*permissions?|check_\w*perm\w*|permission_required"
        r"|permission_classes|permissions\.\w+|is_superuser|is_staff|is_owner"
        r"|owner(?:_id)?[ \t]?(?:[!=]=|is[ \t])|(?:[!=]=|is[ \t])[ \t]?[\w.]{0,40}\.owner(?:_id)?"
        r"|can_(?:view|edit|delete|change|access|read|write|see|manage)\w*|\w*forbidden\w*"
        r"|permissiondenied|access_denied|unauthori[sz]ed\w*|is_public|visible_to\w*"
        r"|\w*login_required|\w*admin_required|\w*privileg\w*)\b|@\w*\.?authenticated\b"
        r"|\b(?:abort|status(?:_code)?|http_?error)[ \t]?[(=][ \t]?40[13]\b"
        r"|\bhas_roles?\b|\w*role_required\b|\brole_\w+\(\)|\bis_anonymous\b"
        # what may come in: upload types, hosts, origins
        r"|\ballowed_(?:extensions?|types?|files?|mimetypes?|hosts?|origins?|schemes?)\b"
        # who may: a list of roles or permissions given to a route, a plugin, an API
        r"|[\"'](?:(?:required_|allowed_)?(?:roles?|permissions?))[\"'][ \t]?:[ \t]?[\[({]"
        r"|\b(?:required_|allowed_)?(?:roles?|permissions)[ \t]?=[ \t]?[\[({]",
        "checks who may see or change an object (owner, staff, permissions, 401/403)",
        "high",
        ("code", "migration"),
    ),
    ContentRule(
        "injection-guard",
        _words(
            "\\r \\n \\0 \\x00 \\x1f \\x7f controlchar control_char control-char non-token tchar "
            "crlf %0d",
            "control char",
            "control\tchar",
        ),
        r"[\"']\\[rn0][\"'][ \t]{1,4}(?:not[ \t]+)?in\b|\\x(?:00|1f|7f)|\bcontrol[ _-]?char\w*"
        r"|\bnon-token\b|\btchar\w*"
        # CR or LF replaced or percent-encoded in a value (header and request-line injection)
        r"|\.replace\([ \t]?b?[\"']\\[rn]|%0d|\bcrlf\b",
        "rejects or strips control characters (CR/LF/NUL injection into headers or lines)",
        "high",
    ),
    ContentRule(
        "private-names",
        _words(
            "startswith('_ startswith(\"_ __globals__ __subclasses__ __builtins__ __mro__ "
            "__bases__ func_globals"
        ),
        # a name starting with "_" refused, or the attributes a sandbox escape goes through
        r"\.startswith\([ \t]?[\"']_{1,2}[\"']"
        r"|__(?:globals|subclasses|builtins|mro|bases)__|\bfunc_globals\b",
        "guards private or dunder names (sandbox escape, object traversal)",
        "high",
    ),
    ContentRule(
        "request-validation",
        _words("400 bad_request badrequest assert_param require_param check_param"),
        r"\b(?:abort|httperror|http_?error|httpexception|status(?:_code)?|error)[ \t]?[(=][ \t]?400\b"
        r"|\bbad_?request\w*|\b(?:assert|require|check)_params?\w*\(",
        "rejects a malformed request (400 Bad Request, required parameters)",
        "medium",
    ),
    ContentRule(
        "error-detail",
        _words("str(e repr(e str(sys traceback.format_exc traceback.print_exc"),
        # the text of an exception put into a message, a response or a log
        r"\b(?:str|repr)\((?:sys\.exc_info\(\)|e|exc|err|ex|error|exception)\b"
        r"|\btraceback\.(?:format_exc|print_exc)\w*\(",
        "puts exception details into a message or log (secrets and internals leak in errors)",
        "medium",
    ),
    ContentRule(
        "advisory-id",
        _words("cve- ghsa- cwe- redos denial"),
        r"\bcve-\d{4}-\d{3,}|\bghsa-[0-9a-z]{4}-|\bcwe-\d+|\bredos\b|\bdenial[ -]of[ -]service\b",
        "names a CVE, advisory or weakness (CWE, ReDoS: the change says it fixes a vulnerability)",
        "medium",
        ("code", "config"),
        calls=False,
    ),
    ContentRule(
        "resource-limit",
        _words(
            "max_ limit too_large too_long too_many toolarge recursion 413 entitytoolarge "
            "payloadtoolarge max_depth"
        ),
        r"\bmax_(?:size|bytes|parts|fields|depth|recursion|body\w*|memory|content_length"
        r"|form_\w+|header\w*|line\w*|request\w*|num_\w+|count|redirects|file\w*|upload\w*"
        r"|length_of\w*)\b|\b\w*_?(?:size|byte|part|field|depth|line|header)s?_?limit\w*"
        r"|\blimit_\w+|\btoo_?(?:large|long|many)\w*|\brecursion\w*|\b413\b"
        r"|\b(?:request)?(?:entity|payload)toolarge\w*",
        "adds or changes a resource limit (size, count, depth: denial of service)",
        "medium",
    ),
    ContentRule(
        "regex",
        _words(")* )+ ]* ]+"),
        # a raw-string or compiled pattern with a repeated group or class (backtracking)
        r"\b(?:f?r|rf)[\"'][^\"'\n]{0,200}?(?:\)|\])[*+]"
        r"|\bre\.(?:compile|match|search|sub|fullmatch|findall)\([\"'][^\"'\n]{0,200}?(?:\)|\])[*+]",
        "changes a regular expression with repetition (ReDoS, validation that can be bypassed)",
        "medium",
    ),
    ContentRule(
        "session-cookie",
        _words("cookie samesite httponly session_ sessionmiddleware access-control-allow- cors"),
        r"cookie|\b(?:samesite|httponly|session_(?:cookie|id|key|interface|token)"
        r"|sessionmiddleware|cors\w*)\b|\baccess-control-allow-",
        "handles sessions, cookies or CORS",
        "medium",
        ("code", "config"),
    ),
    ContentRule(
        "proxy",
        _words("proxies proxy_ proxy- http_proxy https_proxy no_proxy"),
        r"\bproxies\b|\bproxy_\w+|\bproxy-\w+|\bhttps?_proxy\b|\bno_proxy\b",
        "changes proxy handling (tunnelling, proxy credentials)",
        "medium",
    ),
    ContentRule(
        "secret-literal",
        _words("-----begin akia ghp_ xoxb- xoxp-"),
        r"-----begin (?:rsa |ec |dsa |openssh )?private key-----|\bakia[0-9a-z]{16}\b"
        r"|\bghp_[0-9a-z]{36}\b|\bxox[bp]-[0-9a-z-]{10,}",
        "adds or removes what looks like a secret key or token",
        "high",
        ("code", "ci", "config"),
        calls=False,
    ),
    ContentRule(
        "ci-untrusted-trigger",
        _words("pull_request_target workflow_run"),
        r"\bpull_request_target\b|\bworkflow_run\b",
        "runs a privileged workflow on untrusted pull-request events",
        "high",
        ("ci",),
        calls=False,
    ),
    ContentRule(
        "ci-secrets",
        _words("secrets environment"),
        r"\bsecrets\.\w+|\bsecrets:[ \t]?inherit\b|^[ \t]*environment[ \t]?:",
        "passes repository secrets or a deployment environment to a job",
        "high",
        ("ci",),
        calls=False,
    ),
    ContentRule(
        "ci-permissions",
        _words("permissions write persist-credentials github_token github.token"),
        r"^[ \t]*permissions[ \t]?:|\b(?:contents|packages|id-token|actions|pull-requests"
        r"|issues|deployments|security-events|statuses|checks|attestations)[ \t]?:[ \t]?[\"']?write\b"
        r"|\bpersist-credentials\b|\bgithub_token\b|\bgithub\.token\b",
        "changes the workflow token's permissions or credentials",
        "high",
        ("ci",),
        calls=False,
    ),
    ContentRule(
        "ci-injection",
        _words("${{"),
        r"\$\{\{[ \t]{0,5}github\.(?:event\.(?:issue|pull_request|comment|review|review_comment"
        r"|head_commit|commits|discussion|pages|workflow_run)\b|head_ref\b)",
        "expands untrusted event text (titles, bodies, branch names) into the workflow",
        "high",
        ("ci",),
        calls=False,
    ),
    ContentRule(
        "ci-remote-script",
        _words("curl wget"),
        r"\b(?:curl|wget)\b[^\n|]{0,200}\|[ \t]{0,5}(?:sudo[ \t]+)?(?:ba|z)?sh\b",
        "pipes a downloaded script into a shell",
        "high",
        ("ci", "code", "config"),
        calls=False,
    ),
)

# Categories that are no reason in a migration: its SQL is the schema, not a query built
# from input.
_NOT_IN_MIGRATIONS = frozenset({"sql"})


# What is a reason in a template (HTML, Jinja, Django, Handlebars ...): its sinks. Words like
# "login" or "can_delete" there decide what a page shows, not who may do what.
_TEMPLATE_RULES = frozenset({"escaping", "secret-literal"})


def in_scope(rule: ContentRule, scope: Scope) -> bool:
    """Whether ``rule`` runs on files of ``scope`` (migrations get the code rules but SQL)."""
    if scope == "template":
        return rule.category in _TEMPLATE_RULES
    if scope == "migration":
        return "migration" in rule.scopes or (
            "code" in rule.scopes and rule.category not in _NOT_IN_MIGRATIONS
        )
    return scope in rule.scopes


# Every category, from the most specific (a dangerous operation named in the code) to the
# most generic vocabulary ("login", "parse_"): content hits are ordered by it, then path hits.
STRENGTH: tuple[str, ...] = (
    "secret-literal",
    "ci-injection",
    "ci-untrusted-trigger",
    "ci-remote-script",
    "shell",
    "deserialization",
    "sql",
    "tls",
    "permissions",
    "ci-secrets",
    "ci-permissions",
    "injection-guard",
    "private-names",
    "access-control",
    "url-redirect",
    "escaping",
    "file-paths",
    "session-cookie",
    "crypto",
    "url-parsing",
    "http-headers",
    "proxy",
    "resource-limit",
    "regex",
    "input-validation",
    "request-validation",
    "error-detail",
    "guard",
    "security-context",
    "migration",
    "security",
    "payments",
    "auth",
    "dependency",
    "http-parsing",
    "html-templates",
    "parsing",
    "attack-payload",
    "advisory-id",
)

PATH_RULES: tuple[PathRule, ...] = (
    PathRule(
        "auth",
        _SEG + r"(?:auth(?!or)\w*|login|logout|oauth\w*|saml|sso|jwt|acl|rbac|permissions?"
        r"|access_control|credentials?|passwords?|passwd|secrets?|tokens?|keyring|netrc"
        r"|codeowners)" + _END,
        "authentication, credentials or access-control code",
        "high",
        _words(
            "auth login logout saml sso jwt acl rbac permission access_control credential password "
            "passwd secret token keyring netrc codeowners"
        ),
    ),
    PathRule(
        "session-cookie",
        _SEG + r"(?:sessions?|cookies?|csrf|cors)" + _END,
        "session, cookie, CSRF or CORS code",
        "medium",
        _words("session cookie csrf cors"),
    ),
    PathRule(
        "crypto",
        _SEG + r"(?:crypto\w*|cipher\w*|encrypt\w*|hashing|hmac|signing|signatures?|certs?"
        r"|certificates?|ssl\w*|\w*openssl|tls\w*|x509|pki|keys?)" + _END,
        "cryptography, TLS or key-handling code",
        "high",
        _words("crypto cipher encrypt hashing hmac signing signature cert ssl tls x509 pki key"),
    ),
    PathRule(
        "http-parsing",
        _SEG + r"(?:urls?|urlparse|urlmatch\w*|uri|redirects?|headers?|http|multipart"
        r"|formparser|parsers?)" + _END,
        "URL, header or request-parsing code",
        "medium",
        _words("url uri redirect header http multipart formparser parser"),
    ),
    PathRule(
        "payments",
        _SEG + r"(?:payments?|billing|checkout|invoices?|stripe|paypal|wallets?)" + _END,
        "payment or billing code",
        "high",
        _words("payment billing checkout invoice stripe paypal wallet"),
    ),
    PathRule(
        "security",
        _SEG + r"(?:security|sandbox\w*|firewall|sanitiz\w*)" + _END,
        "security-specific code",
        "high",
        _words("security sandbox firewall sanitiz"),
    ),
    PathRule(
        "deserialization",
        _SEG + r"(?:pickl\w*|unpickl\w*)" + _END,
        "serialisation code",
        "medium",
        _words("pickl"),
    ),
    PathRule(
        "shell",
        _SEG + r"(?:shell|exec\w*|subprocess|sub-process|run-command|run_command|spawn)" + _END,
        "code that runs other programs",
        "medium",
        _words("shell exec subprocess sub-process run-command run_command spawn"),
    ),
    PathRule(
        "html-templates",
        r"(?:^|/)templates?/[^/]+\.(?:html?|jinja2?|j2|jinja)$",
        "HTML template (output escaping)",
        "medium",
        _words("template"),
    ),
)

# Whole-file reasons by kind: any change to these is a supply-chain or data risk.
KIND_RULES: dict[FileKind, PathRule] = {
    FileKind.DEPENDENCY: PathRule(
        "dependency", "", "dependency manifest: changes which third-party code runs", "medium"
    ),
    FileKind.MIGRATION: PathRule(
        "migration", "", "database migration: changes schema or data", "high"
    ),
}
