#!/bin/bash
# check.sh - the man pages and shell completion agree with the program.
#
#   LXDH_BIN=build/lxd-harden LXDH_MANDIR=build/doc tests/doc/check.sh
#
# Prints TAP. Every man page renders without a groff warning; every long
# option that a command's --help names is documented on its page, and
# every option a page documents is one --help names; bash completion
# offers the commands, the options of a command, the check ids and the
# remotes of a client configuration.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:?set LXDH_BIN}
MANDIR=${LXDH_MANDIR:?set LXDH_MANDIR}
# shellcheck source=../integration/tap.sh
. "$SRCDIR/tests/integration/tap.sh"

NTEST=0
NFAIL=0
W=$(mktemp -d) || exit 1
trap 'rm -rf -- "$W"' EXIT

# ---- man pages render cleanly
for page in "$MANDIR"/*.[15]; do
	name=$(basename "$page")
	MANWIDTH=80 man --warnings -l -E UTF-8 "$page" >"$W/out" 2>"$W/err"
	if [ -s "$W/out" ] && [ ! -s "$W/err" ]; then
		ok "man $name renders without warnings"
	else
		not_ok "man $name renders without warnings"
		sed 's/^/# /' "$W/err"
	fi
done

# The options a --help text offers, one a line: those that start a line,
# follow a placeholder ("--cert FILE --key FILE") or stand in a list
# ("as for audit: --socket, --remote"); not those inside an example
# command ("'fix --apply'", "usg audit --tailoring-file").
opts_of() {
	grep -oE -- '(^ *(-[a-zA-Z], )?|[A-Z]+ |, |: |\[)--[a-z][a-z-]*' |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

# ---- --help and the man page name the same options
for cmd in audit fix rollback profile usg-tailoring checks explain merge watch; do
	page=$SRCDIR/doc/lxd-harden-$cmd.1.scd
	if [ "$cmd" = profile ]; then
		"$BIN" profile create --help >"$W/help" 2>&1
	else
		"$BIN" "$cmd" --help >"$W/help" 2>&1
	fi
	opts_of <"$W/help" | grep -vx -- '--help' >"$W/h"
	# scdoc writes options as *--name*; "--" inside prose does not count.
	grep -o -- '\*--[a-z][a-z-]*' "$page" | tr -d '*' | sort -u |
		grep -vx -- '--help' >"$W/m"
	missing=$(comm -23 "$W/h" "$W/m" | tr '\n' ' ')
	extra=$(comm -13 "$W/h" "$W/m" | tr '\n' ' ')
	if [ -z "$missing" ] && [ -z "$extra" ]; then
		ok "lxd-harden-$cmd(1) documents exactly the options of '$cmd --help'"
	else
		not_ok "lxd-harden-$cmd(1) documents exactly the options of '$cmd --help'"
		echo "# in --help, not on the page: ${missing:-none}"
		echo "# on the page, not in --help: ${extra:-none}"
	fi
done

# ---- every command has a page, and the main page names it
cmds=$("$BIN" --help | awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }')
for cmd in $cmds; do
	if [ -f "$MANDIR/lxd-harden-$cmd.1" ] &&
		grep -q "\*lxd-harden-$cmd\*(1)" "$SRCDIR/doc/lxd-harden.1.scd"; then
		ok "command '$cmd' has lxd-harden-$cmd(1), named by lxd-harden(1)"
	else
		not_ok "command '$cmd' has lxd-harden-$cmd(1), named by lxd-harden(1)"
	fi
done

# ---- checks --format ids lists the catalog
n_ids=$("$BIN" checks --format ids | grep -c '^LXD-[A-Z]*-[0-9]*$')
n_json=$("$BIN" checks --format json | jq length)
if [ "$n_ids" -gt 0 ] && [ "$n_ids" = "$n_json" ]; then
	ok "checks --format ids lists all $n_json checks, one a line"
else
	not_ok "checks --format ids lists all $n_json checks, one a line (got $n_ids)"
fi

# ---- docs/checks.md is what `checks --format markdown` writes
if "$BIN" checks --format markdown >"$W/checks.md" &&
	cmp -s "$W/checks.md" "$SRCDIR/docs/checks.md"; then
	ok "docs/checks.md matches 'lxd-harden checks --format markdown'"
else
	not_ok "docs/checks.md matches 'lxd-harden checks --format markdown'"
	diff -u "$SRCDIR/docs/checks.md" "$W/checks.md" | head -20 | sed 's/^/# /'
	echo "# regenerate: build/lxd-harden checks --format markdown >docs/checks.md"
fi
if command -v cmark-gfm >/dev/null 2>&1; then
	cmark-gfm "$SRCDIR/docs/checks.md" >"$W/checks.html"
	n_h3=$(grep -c '^<h3>LXD-' "$W/checks.html")
	if [ "$n_h3" = "$n_json" ] && ! grep -q 'raw HTML omitted' "$W/checks.html"; then
		ok "docs/checks.md renders a heading per check and no raw HTML"
	else
		not_ok "docs/checks.md renders a heading per check ($n_h3 of $n_json)"
	fi
else
	not_ok "cmark-gfm is installed (renders docs/checks.md)"
fi

# ---- bash completion
if [ -f /usr/share/bash-completion/bash_completion ]; then
	mkdir -p "$W/conf"
	cat >"$W/conf/config.yml" <<'YAML'
default-remote: local
remotes:
  local:
    addr: unix://
  prod:
    addr: https://192.0.2.10:8443
    protocol: lxd
  "staging-2":
    addr: https://192.0.2.11:8443
aliases: {}
YAML
	# complete WORDS...: prints the candidates for the last word
	complete_words() {
		LXD_CONF=$W/conf HOME=$W bash -c '
			. /usr/share/bash-completion/bash_completion
			. "$0"
			COMP_WORDS=("$@")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE="${COMP_WORDS[*]}"
			COMP_POINT=${#COMP_LINE}
			_lxd_harden
			printf "%s\n" "${COMPREPLY[@]}"
		' "$SRCDIR/completion/lxd-harden.bash" "$@"
	}
	got=$(complete_words "$BIN" "" | sort | tr '\n' ' ')
	want=$(printf '%s\n' $cmds --help --version | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "bash completion offers the commands"
	else
		not_ok "bash completion offers the commands (got '$got', want '$want')"
	fi
	got=$(complete_words "$BIN" audit --fa | tr '\n' ' ')
	if [ "$got" = "--fail-on --fail-on-new " ]; then
		ok "bash completion offers audit's options (--fa: $got)"
	else
		not_ok "bash completion offers audit's options (--fa: '$got')"
	fi
	got=$(complete_words "$BIN" explain LXD-ACC-01 | tr '\n' ' ')
	want=$("$BIN" checks --format ids | grep '^LXD-ACC-01' | tr '\n' ' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "bash completion offers check ids to explain"
	else
		not_ok "bash completion offers check ids to explain (got '$got', want '$want')"
	fi
	got=$(complete_words "$BIN" fix --only LXD-INS | tr '\n' ' ')
	want=$("$BIN" checks --format ids | grep '^LXD-INS' | tr '\n' ' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "bash completion offers check ids to fix --only"
	else
		not_ok "bash completion offers check ids to fix --only (got '$got')"
	fi
	got=$(complete_words "$BIN" audit --remote "" | sort | tr '\n' ' ')
	if [ "$got" = "local prod staging-2 " ]; then
		ok "bash completion offers the remotes of the client configuration"
	else
		not_ok "bash completion offers the remotes (got '$got')"
	fi
	got=$(complete_words "$BIN" audit --all | tr '\n' ' ')
	got2=$(complete_words "$BIN" merge --ba | tr '\n' ' ')
	if [ "$got" = "--all-remotes " ] && [ "$got2" = "--baseline " ]; then
		ok "bash completion offers the fleet options and merge's"
	else
		not_ok "bash completion offers the fleet options (got '$got', '$got2')"
	fi
	got=$(complete_words "$BIN" audit --format s | tr '\n' ' ')
	if [ "$got" = "sarif " ]; then
		ok "bash completion offers the report formats"
	else
		not_ok "bash completion offers the report formats (got '$got')"
	fi
else
	not_ok "bash-completion is installed (/usr/share/bash-completion/bash_completion)"
fi

echo "1..$NTEST"
[ "$NFAIL" = 0 ]
