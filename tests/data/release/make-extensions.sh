#!/bin/sh
# make-extensions.sh GITDIR TAG PATH - prints, one per line, the API
# extensions that the Go slice "var APIExtensions = []string{...}" in PATH
# at TAG lists, in order. Used to fill "api_extensions" of the release
# fixtures (see tests/data/README.md); entries may be quoted with "" or ``.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 GITDIR TAG PATH" >&2; exit 2; }
git -C "$1" show "$2:$3" | awk '
	/^var APIExtensions = \[\]string\{/ { on = 1; next }
	on && /^\}/ { found = 1; exit }
	on && match($0, /^[ \t]*["`][^"`]+["`],/) {
		s = substr($0, RSTART, RLENGTH)
		gsub(/^[ \t]*["`]|["`],$/, "", s)
		print s
	}
	END { if (!found) { print "no APIExtensions slice" > "/dev/stderr"; exit 1 } }'
