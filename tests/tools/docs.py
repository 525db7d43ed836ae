#!/usr/bin/env python3
"""docs.py BUILD - tcpe(8) as `man` shows it, and the bash completion, against `tcpe --help`:
the same options in the same order, each with its help text and default. Exit status 0 only
when they agree; every difference is printed."""
import os
import re
import subprocess
import sys

HELP_LINE = re.compile(r"^  (?:-(\w), )?--([\w-]+)(?: (\S+))?\s+(.*)$")


def help_options(tcpe):
    """{name: (short, arg, text, default)} in --help order, from `tcpe --help`."""
    out = subprocess.run([tcpe, "--help"], capture_output=True, text=True, check=True).stdout
    opts = {}
    for line in out.splitlines()[1:]:
        m = HELP_LINE.match(line)
        if not m:
            raise RuntimeError(f"--help line not understood: {line!r}")
        short, name, arg, rest = m.groups()
        d = re.search(r"\(default (.*)\)$", rest)
        default = d.group(1) if d and d.group(1) != "none" else None
        text = re.sub(r"\s*(\[[\w]+\])?\s*(\(default .*\))?$", "", rest)
        opts[name] = (short, arg, text, default)
    return opts


def man_options(page):
    """{name: (short, arg, paragraph)} from the OPTIONS section of `man -l PAGE`, as users see it."""
    env = dict(os.environ, MANWIDTH="2000", MAN_KEEP_FORMATTING="")
    out = subprocess.run(["man", "--nh", "--nj", "-l", page], capture_output=True, text=True,
                         env=env, check=True).stdout
    out = re.sub(r".\x08", "", out)		# overstrike bold/underline, if a pager format leaks
    sec = out.split("\nOPTIONS\n", 1)[1].split("\nCONFIGURATION FILE\n", 1)[0]
    opts, cur = {}, None
    for line in sec.splitlines():
        m = re.match(r"^ {7}(?:-(\w), )?--([\w-]+)(?: (\S+))?$", line)
        if m:
            cur = m.group(2)
            opts[cur] = [m.group(1), m.group(3), ""]
        elif cur and line.strip():
            opts[cur][2] += " " + line.strip()
    return {k: tuple(v) for k, v in opts.items()}


def completion_words(script):
    """The option words the completion offers after '--' for an empty '-' prefix."""
    cmd = f"source {script}; COMP_WORDS=(tcpe -- -); COMP_CWORD=2; _tcpe; echo \"${{COMPREPLY[@]}}\""
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                          check=True).stdout.split()


def norm(s):
    return " ".join(s.split())


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    h = help_options(os.path.join(build, "app", "tcpe"))
    m = man_options(os.path.join(build, "app", "tcpe.8"))
    words = completion_words(os.path.join(build, "config", "tcpe"))
    bad = []
    if list(h) != list(m):
        bad.append(f"man page options differ from --help: only in --help {sorted(set(h) - set(m))},"
                   f" only in the man page {sorted(set(m) - set(h))}, or another order")
    for name, (short, arg, text, default) in h.items():
        if name not in m:
            continue
        mshort, marg, para = m[name]
        if (short, arg) != (mshort, marg):
            bad.append(f"--{name}: --help shows {short} {arg}, the man page {mshort} {marg}")
        if norm(text) not in norm(para):
            bad.append(f"--{name}: help text {text!r} not in the man page's {para!r}")
        if default is not None and f"Default: {default}." not in norm(para):
            bad.append(f"--{name}: default {default!r} not in the man page's {para!r}")
    want = []
    for name, (short, *_rest) in h.items():
        want += ([f"-{short}"] if short else []) + [f"--{name}"]
    if words != want:
        bad.append(f"completion offers {sorted(set(words) ^ set(want))} differently from --help")
    for b in bad:
        print("docs:", b)
    print(f"docs: {len(h)} options in --help, {len(m)} in tcpe(8), {len(words)} completion words; "
          f"{len(bad)} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
