# tap.sh - the TAP helpers every integration suite sources.
#
# Test lines go to fd 3, a copy of stdout taken when this file is sourced,
# so a check whose command is redirected (check ... >/dev/null) or prints
# on stdout cannot lose its line or break the TAP stream. The suite keeps
# NTEST and NFAIL and prints the plan itself.

NTEST=${NTEST:-0}
NFAIL=${NFAIL:-0}
exec 3>&1

# diag LINE...: diagnostics, one "#   " line each.
diag() {
	local _tap_line
	for _tap_line in "$@"; do
		printf '%s\n' "$_tap_line" | sed 's/^/#   /'
	done
}

ok() {
	NTEST=$((NTEST + 1))
	echo "ok $NTEST - $*" >&3
}

not_ok() {
	NTEST=$((NTEST + 1))
	NFAIL=$((NFAIL + 1))
	echo "not ok $NTEST - $*" >&3
}

# skip DESC WHY: a test that could not run here, said so.
skip() {
	NTEST=$((NTEST + 1))
	echo "ok $NTEST - $1 # SKIP $2" >&3
}

# check DESC CMD...: one test line from CMD's success. CMD runs in this
# shell; what it prints becomes diagnostics when it fails. The locals
# carry a prefix because bash scopes them dynamically: a plain "rc" here
# would hide the suite's own $rc from the condition being checked.
check() {
	local _tap_desc=$1 _tap_out _tap_rc
	shift
	_tap_out=$(mktemp "${TMPDIR:-/tmp}/lxdh-check.XXXXXX") || {
		not_ok "$_tap_desc"
		diag "mktemp failed"
		return 0
	}
	"$@" >"$_tap_out" 2>&1
	_tap_rc=$?
	if [ "$_tap_rc" = 0 ]; then
		ok "$_tap_desc"
	else
		not_ok "$_tap_desc"
		sed 's/^/#   /' "$_tap_out" | head -n 10 >&3
	fi
	rm -f "$_tap_out"
	return 0
}
