#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Extract the C samples of Microsoft's WSK pages into compilable translation units.

Sources (read from the shared directory, never copied into the project):
  seeds/*.txt                      localized copies of reference pages
  reference/msdocs/guide/*.md      the English guide pages

Finding the code
  F1  A fenced block (```lang ... ```) whose language is C, C++ or cpp (any case) is a
      sample. Other languages (INF) are reported as skipped.
  F2  In a .txt seed, outside fences, code has lost its fences and indentation: a block
      starts at a line whose first non-blank characters are "//" and runs until its braces
      are balanced again at a line holding "}" that is followed by a prose line (or the
      end). A prose line is non-empty, not a comment, has six or more words and ends
      with "." or ":". A reference page's syntax synopsis ("PFN_X Name;" then a
      definition of Name with the docs' "[in]" parameter notation and a "{...}" body)
      is found too and reported as skipped: it is the docs' notation, not C.
  F3  Blocks are numbered from 1 per source file in page order; a sample is named
      <dir>/<file>#<n>, e.g. guide/creating-sockets.md#1. Every block is its own
      translation unit: the pages' several blocks are alternatives that redefine the
      same names (two ControlSocketComplete, two ReceiveData), not one program.

Filling placeholders (only at "..." and vertical-ellipsis sites; everything else is the
sample's text byte for byte, under #line directives naming the page and its line):
  P1  "..." as a statement inside a function body becomes
      wsksample_fill(__func__, k);  -- a no-op hook that counts the site's visits
      (k numbers the placeholder sites of that function body from 1, in text order).
  P2  "..." as the condition of if/while becomes wsksample_cond(__func__, k), which
      answers what the test driver asked for that site (0 unless told).
  P3  "..." as an argument of a call inside a function body becomes WSKSAMPLE_ARG
      (0). At file scope, ", ..." in a prototype is C's own ellipsis and stays.
  P4  "{...}" as a whole function body becomes { wsksample_fill(__func__, 1); }.
  P5  A vertical ellipsis -- a run of lines whose only code is "." -- in a function
      body becomes one P1 hook on its first line (the other dots become spaces); in a
      struct member list or initializer the dots become spaces.
  P6  "// ..." and "..." inside comments and strings stay as they are.
  P7  "..." anywhere else (file scope, data) becomes spaces.
  A non-void function whose text ends in a placeholder returns an indeterminate value:
  the drivers never read such a return.

Repairing slips in the pages' text (general patterns, applied wherever they match, and
reported by the sample's result line; MSVC rejects each of these too):
  R1  "," followed only by blanks/comments and then ")": the comma is removed.
  R2  ";" ending the last parameter of a list (then blanks/a comment, a newline, ")"):
      the semicolon is removed.
  R3  A line "return EXPR:" (a colon for the semicolon): the colon becomes ";".
  R4  At file scope, a line holding exactly two identifiers ("TYPE NAME") followed by a
      blank line: a declaration missing its ";", which is added.

Names a sample uses but never declares (see PRELUDE below, one reason each) are declared
in a generated prelude between <wsk.h> and the sample; variables among them are defined
in the generated harness file. Functions a sample calls but neither declares nor defines
(its own helpers, e.g. CreateListeningSocket in the registration page) are declared
"int NAME();" -- what C89's implicit declaration said -- and get a generated definition
in the harness that counts the call (wsksample_stub) and returns 0. Names that look like
system API (all capitals, or an Io/Ke/Ex/Rtl/Mm/Ob/Ps/Zw/Wsk/Nmr/Ndk prefix) never get
one: they must come from wsk_api/include. Functions a sample prototypes but never defines
get a definition with the prototype's text that counts the call and returns 0.

Skipped with a reason: non-C blocks, syntax synopses, blocks needing headers the project
does not have (NMR: netioddk.h; NDK: ndkpi.h), and the blocks in UNREPAIRABLE.

Usage:
  extract.py --shared DIR --list       one line per compiled sample: id<TAB>display
                                       name<TAB>functions defined, as name/arity (comma)
  extract.py --shared DIR --deps       the source files read, one a line
  extract.py --shared DIR --skipped    "sample NAME: skipped: why" for each skipped block
  extract.py --shared DIR --outdir D   write D/<id>.c, D/<id>_harness.c, D/manifest.txt
"""

import argparse
import os
import re
import sys

C_LANGS = {"c", "c++", "cpp"}

# Names the samples use and never declare: name -> (prelude text, harness definition or
# None, reason). Applied to a sample only if it uses the name and does not declare it.
PRELUDE = {
    "WSK_APP_SOCKET_CONTEXT": (
        "typedef struct _WSK_APP_SOCKET_CONTEXT {\n  PWSK_SOCKET Socket;\n}"
        " WSK_APP_SOCKET_CONTEXT, *PWSK_APP_SOCKET_CONTEXT;", None,
        "the client's socket context, defined by guide/creating-sockets.md#1"),
    "WSK_APP_BINDING_CONTEXT": (
        "typedef struct WSK_APP_BINDING_CONTEXT_ {\n  HANDLE NmrBindingHandle;\n"
        "  PWSK_CLIENT WskClient;\n  PWSK_PROVIDER_DISPATCH WskProviderDispatch;\n}"
        " WSK_APP_BINDING_CONTEXT, *PWSK_APP_BINDING_CONTEXT;", None,
        "the client's NMR binding context, defined by "
        "guide/attaching-the-wsk-client-to-the-wsk-subsystem.md#1"),
    "BINDING_CONTEXT_POOL_TAG": (
        "#define BINDING_CONTEXT_POOL_TAG 'tpcb'", None,
        "pool tag of the binding context, defined by the attaching page's sample"),
    "SOCKET_CONTEXT_POOL_TAG": (
        "#define SOCKET_CONTEXT_POOL_TAG 'tpcs'", None,
        "pool tag of socket contexts, defined by the listening page's sample"),
    "WskRegistration": (
        "extern WSK_REGISTRATION WskRegistration;", "WSK_REGISTRATION WskRegistration;",
        "the client's registration object, defined by "
        "guide/registering-a-winsock-kernel-application.md#1"),
    "WskAppDispatch": (
        "extern const WSK_CLIENT_DISPATCH WskAppDispatch;",
        "const WSK_CLIENT_DISPATCH WskAppDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };",
        "the client's dispatch table, defined by the registration page's sample"),
    "WskProviderNpi": (
        "extern WSK_PROVIDER_NPI WskProviderNpi;", "WSK_PROVIDER_NPI WskProviderNpi;",
        "the captured provider NPI, which the pages' prose assumes a client keeps"),
    "status": (
        "extern NTSTATUS status;", "NTSTATUS status;",
        "the registration page's worker tests 'status', a case slip for its local "
        "'Status'; read only on a failed capture"),
    "InspectAccept": (
        "#define InspectAccept WskInspectAccept", None,
        "the listening page's short name for WSK_INSPECT_ACTION's WskInspectAccept"),
    "InspectReject": (
        "#define InspectReject WskInspectReject", None,
        "the listening page's short name for WskInspectReject"),
    "InspectPend": (
        "#define InspectPend WskInspectPend", None,
        "the listening page's short name for WskInspectPend"),
}
# Prelude entries that define a type also provide its pointer typedef.
PRELUDE_ALIASES = {
    "PWSK_APP_SOCKET_CONTEXT": "WSK_APP_SOCKET_CONTEXT",
    "PWSK_APP_BINDING_CONTEXT": "WSK_APP_BINDING_CONTEXT",
}

# Samples whose text has an error no general rule can repair: name -> reason.
UNREPAIRABLE = {
    "guide/listening-for-and-accepting-incoming-connections.md#2":
        "sample error: '*AcceptSocketDispatch = ConnectionDispatch;' assigns the dispatch "
        "struct itself to a 'const WSK_CLIENT_CONNECTION_DISPATCH *' (missing '&'): a type "
        "error in the page (MSVC C2440 too), not a placeholder",
}

HOOKS = """\
/* Placeholder hooks (extract.py rules P1, P2, P3). */
void wsksample_fill(const char *fn, int site);
int wsksample_cond(const char *fn, int site);
#define WSKSAMPLE_ARG 0
"""

API_PREFIX = re.compile(r"^(Io|Ke|Ex|Rtl|Mm|Ob|Ps|Zw|Nt|Wsk|Nmr|Ndk|Ntstr)[A-Z]")
KEYWORDS = set("""if else while for do switch case default return sizeof goto break continue
    typedef struct union enum const volatile static extern register auto signed unsigned
    int char short long float double void inline restrict _Bool __func__""".split())
IDENT = re.compile(r"[A-Za-z_]\w*")


# ---------------------------------------------------------------- finding blocks

class Block:
    def __init__(self, src, index, first_line, text, lang, skip=None):
        self.src = src              # "guide/x.md"
        self.index = index
        self.first_line = first_line  # 1-based line of the block's first line
        self.text = text
        self.lang = lang
        self.skip = skip
        self.notes = []
        self.name = "%s#%d" % (src, index)
        self.id = re.sub(r"[^A-Za-z0-9]+", "_", "%s_%d" % (os.path.splitext(src)[0], index))


FENCE = re.compile(r"^\s*```\s*([A-Za-z0-9+#_-]*)\s*$")


def is_prose(line):
    s = line.strip()
    return (s != "" and not s.startswith("//") and len(s.split()) >= 6
            and s[-1] in ".:")


def find_blocks(path, rel):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    txt = rel.endswith(".txt")
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1) != "":
            lang = m.group(1)
            j = i + 1
            while j < len(lines) and not FENCE.match(lines[j]):
                j += 1
            text = "\n".join(lines[i + 1:j]) + "\n"
            skip = None if lang.lower() in C_LANGS else "not C (a ```%s block)" % lang
            out.append((i + 2, text, lang, skip))
            i = j + 1
            continue
        if txt and lines[i].strip() == "{...}":
            # F2 synopsis: back to the "PFN_X Name;" line.
            k = i
            while k > 0 and not re.match(r"^\w+ \w+;\s*$", lines[k]):
                k -= 1
            out.append((k + 1, "\n".join(lines[k:i + 1]) + "\n", "synopsis",
                        "syntax synopsis in the docs' notation ([in] attributes, "
                        "'PFN_X Name;' then a definition of Name): not a sample"))
            i += 1
            continue
        if txt and lines[i].lstrip().startswith("//"):
            j, depth, opened = i, 0, False
            while j < len(lines):
                code = lines[j].split("//")[0]
                depth += code.count("{") - code.count("}")
                opened = opened or "{" in code
                j += 1
                if opened and depth == 0 and "}" in code and (
                        j >= len(lines) or is_prose(lines[j])):
                    break
                if depth == 0 and j < len(lines) and is_prose(lines[j]):
                    break
            out.append((i + 1, "\n".join(lines[i:j]) + "\n", "C (unfenced)", None))
            i = j
            continue
        i += 1
    return [Block(rel, n + 1, fl, t, lang, skip) for n, (fl, t, lang, skip) in enumerate(out)]


def all_blocks(shared):
    res = []
    for sub, ext in (("seeds", ".txt"), ("reference/msdocs/guide", ".md")):
        d = os.path.join(shared, sub)
        short = "seeds" if sub == "seeds" else "guide"
        for fn in sorted(os.listdir(d)):
            if fn.endswith(ext):
                res += find_blocks(os.path.join(d, fn), short + "/" + fn)
    return res


# ---------------------------------------------------------------- lexing

def code_mask(text):
    """A copy of text with comments, strings and char literals blanked (newlines kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if text[k] != "\n":
                    out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def prev_sig(mask, i):
    """Index of the last non-blank character of mask before i, or -1."""
    i -= 1
    while i >= 0 and mask[i].isspace():
        i -= 1
    return i


def next_sig(mask, i):
    while i < len(mask) and mask[i].isspace():
        i += 1
    return i


def brace_contexts(mask):
    """For each position: (depth, kind of innermost brace, function-body start or -1).
    Returned as a function pos -> (kind, body_start); kind is 'file', 'code' or 'data'."""
    ctx = [None] * (len(mask) + 1)
    stack = []  # (kind, body_start)
    last_stmt = 0  # start of the current file-scope/statement text
    for i, c in enumerate(mask):
        cur = stack[-1] if stack else ("file", -1)
        ctx[i] = cur
        if c == "{":
            p = prev_sig(mask, i)
            head = mask[last_stmt:i]
            if cur[0] == "data" or (p >= 0 and mask[p] in "=,") or \
                    re.search(r"\b(struct|union|enum)\b", head) and not head.rstrip().endswith(")"):
                stack.append(("data", cur[1]))
            elif cur[0] == "file":
                stack.append(("code", i))
            else:
                stack.append(("code", cur[1]))
            last_stmt = i + 1
        elif c == "}":
            if stack:
                stack.pop()
            last_stmt = i + 1
        elif c == ";":
            last_stmt = i + 1
    ctx[len(mask)] = stack[-1] if stack else ("file", -1)
    return ctx


# ---------------------------------------------------------------- repairs and fills

def apply_repairs(blk, text):
    mask = code_mask(text)
    edits = []  # (pos, old_len, new)

    def line_of(pos):
        return blk.first_line + text.count("\n", 0, pos)

    # R1: "," then blanks/comments then ")".
    for m in re.finditer(r",(\s*)\)", mask):
        edits.append((m.start(), 1, " "))
        blk.notes.append("R1 stray ',' before ')' at line %d" % line_of(m.start()))
    # R2: ";" ending the last parameter: ";" [comment] newline blanks ")".
    for m in re.finditer(r";[ \t]*\n\s*\)", mask):
        edits.append((m.start(), 1, " "))
        blk.notes.append("R2 ';' ending a parameter list at line %d" % line_of(m.start()))
    # R3: "return EXPR:" at the end of a line.
    for m in re.finditer(r"^[ \t]*return\b[^;:\n?]*(:)[ \t]*$", mask, re.M):
        edits.append((m.start(1), 1, ";"))
        blk.notes.append("R3 'return ...:' at line %d" % line_of(m.start(1)))
    # R4: file-scope "TYPE NAME" line followed by a blank line.
    ctx = brace_contexts(mask)
    for m in re.finditer(r"^[ \t]*([A-Za-z_]\w*)[ \t]+([A-Za-z_]\w*)[ \t]*\n[ \t]*\n", mask, re.M):
        if ctx[m.start()][0] == "file" and m.group(1) not in KEYWORDS:
            edits.append((m.end(2), 0, ";"))
            blk.notes.append("R4 missing ';' after a declaration at line %d" % line_of(m.end(2)))
    for pos, ln, new in sorted(edits, reverse=True):
        text = text[:pos] + new + text[pos + ln:]
    return text


def fill_placeholders(text):
    """Apply P1-P7; @return the filled text and {function: placeholder sites}."""
    mask = code_mask(text)
    ctx = brace_contexts(mask)
    sites = {}   # body start -> count
    edits = []
    # Vertical ellipsis runs (P5).
    lines = text.split("\n")
    mlines = mask.split("\n")
    pos = 0
    in_run = False
    for ln, ml in zip(lines, mlines):
        if ml.strip() == ".":
            at = pos + ml.index(".")
            kind, body = ctx[at]
            if kind == "code" and not in_run:
                sites[body] = sites.get(body, 0) + 1
                edits.append((at, 1, "wsksample_fill(__func__, %d);" % sites[body]))
            else:
                edits.append((at, 1, " "))
            in_run = True
        elif ml.strip() != "":
            in_run = False
        pos += len(ln) + 1
    for m in re.finditer(r"\.\.\.", mask):
        i = m.start()
        p, q = prev_sig(mask, i), next_sig(mask, m.end())
        pc = mask[p] if p >= 0 else ""
        nc = mask[q] if q < len(mask) else ""
        kind, body = ctx[i]
        if pc == "{" and nc == "}" and ctx[p][0] == "file":
            sites[body] = 1
            edits.append((i, 3, "wsksample_fill(__func__, 1);"))  # P4
            continue
        if kind != "code":
            if kind == "file" and pc == ",":
                continue                                          # P3: C's own ellipsis
            edits.append((i, 3, "   "))                            # P7 / P5 data
            continue
        sites[body] = sites.get(body, 0) + 1
        k = sites[body]
        if pc == "(" and nc == ")":
            w = re.search(r"(\w+)\s*$", mask[:p])
            if w and w.group(1) in ("if", "while"):
                edits.append((i, 3, "wsksample_cond(__func__, %d)" % k))  # P2
                continue
        if pc in "(," and nc in "),":
            edits.append((i, 3, "WSKSAMPLE_ARG"))                 # P3
            continue
        edits.append((i, 3, "wsksample_fill(__func__, %d);" % k))  # P1
    per_fn = {}
    for body, n in sites.items():
        if body >= 0:
            start = max(mask.rfind(";", 0, body), mask.rfind("}", 0, body)) + 1
            m = re.search(r"([A-Za-z_]\w*)\s*\(", mask[start:body])
            if m:
                per_fn[m.group(1)] = n
    for at, ln, new in sorted(edits, reverse=True):
        text = text[:at] + new + text[at + ln:]
    return text, per_fn


# ---------------------------------------------------------------- names

def scan_names(text):
    """@return (identifiers used, names declared, functions defined, prototypes, calls)."""
    mask = code_mask(text)
    ctx = brace_contexts(mask)
    used = set(IDENT.findall(mask))
    declared = set(re.findall(r"#\s*define\s+(\w+)", mask))
    for m in re.finditer(r"\}\s*([\w\s,*]+);", mask):
        declared |= set(IDENT.findall(m.group(1)))
    for m in re.finditer(r"\btypedef\b[^;{}]*?(\w+)\s*;", mask):
        declared.add(m.group(1))
    for m in re.finditer(r"([A-Za-z_]\w*)[\s*]+([A-Za-z_]\w*)\s*(?=[;,=)\[])", mask):
        if m.group(1) not in ("return", "else", "goto", "case", "sizeof"):
            declared.add(m.group(2))
    for m in re.finditer(r"[,]\s*\**\s*([A-Za-z_]\w*)\s*(?=[;,])", mask):
        if ctx[m.start()][0] != "code" or "(" not in mask[:m.start()].rsplit(";", 1)[-1]:
            declared.add(m.group(1))
    defined, protos, calls = set(), {}, set()
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", mask):
        name = m.group(1)
        if name in KEYWORDS:
            continue
        kind = ctx[m.start()][0]
        if kind == "file":
            # A file-scope name( ... ) is a prototype or a definition.
            depth, j = 0, m.end() - 1
            while j < len(mask):
                depth += {"(": 1, ")": -1}.get(mask[j], 0)
                if depth == 0:
                    break
                j += 1
            k = next_sig(mask, j + 1)
            declared.add(name)
            if k < len(mask) and mask[k] == "{":
                params = mask[m.end():j].strip()
                depth, commas = 0, 0
                for ch in params:
                    depth += {"(": 1, ")": -1}.get(ch, 0)
                    commas += ch == "," and depth == 0
                arity = 0 if params in ("", "void", "VOID") else commas + 1
                defined.add("%s/%d" % (name, arity))
            elif k < len(mask) and mask[k] == ";":
                start = max(mask.rfind(";", 0, m.start()), mask.rfind("}", 0, m.start())) + 1
                protos[name] = text[start:j + 1].strip()
        elif kind == "code":
            p = prev_sig(mask, m.start())
            if p >= 0 and (mask[p] == "." or mask[p - 1:p + 1] == "->"):
                continue
            calls.add(name)
    return used, declared, defined, protos, calls


def is_api_name(name):
    return re.match(r"^[A-Z0-9_]+$", name) is not None or API_PREFIX.match(name) is not None


# ---------------------------------------------------------------- generation

def classify(blk):
    if blk.skip:
        return
    if blk.name in UNREPAIRABLE:
        blk.skip = UNREPAIRABLE[blk.name]
        return
    mask = code_mask(blk.text)
    if re.search(r"\bNmr[A-Z]\w*\s*\(", mask):
        blk.skip = ("needs the Network Module Registrar (netioddk.h: " + ", ".join(
            sorted(set(re.findall(r"\b(Nmr[A-Z]\w*)\s*\(", mask)))) +
            "), which wsk_api/include does not provide")
    elif re.search(r"\bNDK_\w+|ndkpi\.h", mask):
        blk.skip = "an NDK sample: needs ndkpi.h, which does not exist yet"


def generate(blk):
    """@return (tu text, harness text, defined functions)."""
    text = apply_repairs(blk, blk.text)
    used, declared, defined, protos, calls = scan_names(text)
    filled, per_fn = fill_placeholders(text)
    prelude, harness = [], []
    for name in sorted(used):
        key = PRELUDE_ALIASES.get(name, name)
        if key in PRELUDE and name not in declared and key not in declared and \
                PRELUDE[key][0] not in prelude:
            decl, defn, reason = PRELUDE[key]
            prelude.append("/* %s: %s */\n%s" % (name, reason, decl))
            if defn:
                harness.append(defn)
    defined_names = {d.split("/")[0] for d in defined}
    helpers = sorted(c for c in calls if c not in declared and not is_api_name(c)
                     and c not in PRELUDE)
    for h in helpers:
        prelude.append("/* %s: called by the sample, defined nowhere in it */\nint %s();" % (h, h))
        harness.append("int %s()\n{\n\twsksample_stub(__func__);\n\treturn 0;\n}" % h)
    for name, proto in sorted(protos.items()):
        if name in defined_names:
            continue
        ret = proto[:proto.find(name)].strip()
        body = "\twsksample_stub(__func__);\n" + \
            ("" if ret in ("VOID", "void") else "\treturn (%s)0;\n" % ret)
        harness.append("%s\n{\n%s}" % (proto, body))
    src_path = blk.src.replace("guide/", "reference/msdocs/guide/")
    head = ("/* Generated by tests/wsk/samples/extract.py from ../shared/%s, block %d."
            " Do not edit. */\n" % (src_path, blk.index))
    tu = head + "#include <ntddk.h>\n#include <wsk.h>\n\n" + HOOKS + "\n"
    if prelude:
        tu += "/* Prelude: names the sample uses and never declares. */\n" + \
            "\n".join(prelude) + "\n\n"
    tu += '#line %d "shared/%s"\n' % (blk.first_line, src_path) + filled
    notes = "; ".join(blk.notes)
    hv = head + "#include <ntddk.h>\n#include <wsk.h>\n\n" + HOOKS + \
        "void wsksample_stub(const char *fn);\n\n"
    if prelude:
        hv += "\n".join(prelude) + "\n\n"
    hv += 'const char wsksample_name[] = "%s";\n' % blk.name
    hv += 'const char wsksample_notes[] = "%s";\n' % notes.replace('"', "'")
    hv += 'const char wsksample_defines[] = "%s";\n' % ",".join(sorted(defined))
    hv += 'const char wsksample_sites[] = "%s";\n' % ",".join(
        "%s:%d" % kv for kv in sorted(per_fn.items()))
    hv += "\n".join(harness) + "\n"
    return tu, hv, sorted(defined)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", required=True)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--skipped", action="store_true")
    ap.add_argument("--deps", action="store_true")
    ap.add_argument("--outdir")
    a = ap.parse_args()
    if a.deps:
        for sub, ext in (("seeds", ".txt"), ("reference/msdocs/guide", ".md")):
            d = os.path.join(a.shared, sub)
            for fn in sorted(os.listdir(d)):
                if fn.endswith(ext):
                    print(os.path.join(d, fn))
        return 0
    blocks = all_blocks(a.shared)
    for b in blocks:
        classify(b)
    if a.skipped:
        n = 0
        for b in blocks:
            if b.skip:
                print("sample %s: skipped: %s" % (b.name, b.skip))
                n += 1
        print("%d of %d blocks skipped; the others run as tests sample_<id>" % (n, len(blocks)))
        return 0
    if a.list:
        for b in blocks:
            if not b.skip:
                _, _, defined = generate(b)
                print("%s\t%s\t%s" % (b.id, b.name, ",".join(defined)))
        return 0
    if a.outdir:
        os.makedirs(a.outdir, exist_ok=True)
        man = []
        for b in blocks:
            if b.skip:
                man.append("sample %s: skipped: %s" % (b.name, b.skip))
                continue
            tu, hv, _ = generate(b)
            for fn, body in ((b.id + ".c", tu), (b.id + "_harness.c", hv)):
                with open(os.path.join(a.outdir, fn), "w", encoding="utf-8") as f:
                    f.write(body)
            man.append("sample %s: generated%s" % (
                b.name, " (" + "; ".join(b.notes) + ")" if b.notes else ""))
        with open(os.path.join(a.outdir, "manifest.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(man) + "\n")
        return 0
    ap.error("one of --list, --report, --outdir")
    return 2


if __name__ == "__main__":
    sys.exit(main())
