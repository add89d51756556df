#!/usr/bin/env bash
# interop/bad_config: wskstackd refuses bad input before touching any device. Asserts: a profile
# with an unknown key in [port0] makes it exit 1 with "FILE: [port0] KEY: reason" on stderr; a
# profile with an out-of-range value ([port0] mtu = 99999) exits 1 with "FILE: [port0] mtu:
# reason"; an unknown command-line option exits 2. Needs neither root nor namespaces.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require_binary

# with_line FILE SECTION LINE: copy of the profile with LINE added at the top of [SECTION]
# (an existing KEY there is replaced, so the new value is the only one).
with_line() {
	awk -v sec="[$2]" -v line="$3" '
		BEGIN { key = line; sub(/[ \t]*=.*/, "", key) }
		{ t = $0; sub(/[;#].*/, "", t); gsub(/^[ \t]+|[ \t]+$/, "", t) }
		t == sec { print; print line; inside = 1; done = 1; next }
		/^[ \t]*\[/ { inside = 0 }
		inside { k = t; sub(/[ \t]*=.*/, "", k); if (k == key) next }
		{ print }
		END { if (!done) { print sec; print line } }' "$CONFIG" >"$1"
}

# expect_config_error FILE KEY: exit status 1 and the "FILE: [port0] KEY: reason" line
expect_config_error() {
	local file=$1 key=$2 rc=0
	timeout 20 "$WSKSTACKD" -c "$file" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
	say "wskstackd -c $(basename "$file"): exit $rc; stderr: $(head -c 400 "$WORK/err.txt" | tr '\n' ' ')"
	check_eq "exit status for a bad [port0] $key" "$rc" 1
	local esc_file esc_key
	esc_file=$(printf '%s' "$file" | sed 's/[][\.*^$/]/\\&/g')
	esc_key=$(printf '%s' "$key" | sed 's/[][\.*^$/]/\\&/g')
	if grep -qE "(^|[[:space:]])$esc_file: \[port0\] $esc_key: .+" "$WORK/err.txt"; then
		ok "stderr names file, section, key and a reason: $(grep -oE "$esc_file: \[port0\] $esc_key: .+" "$WORK/err.txt" | head -n 1)"
	else
		fail "stderr lacks '$file: [port0] $key: <reason>'"
	fi
	grep -q '^wskstackd: ready' "$WORK/out.txt" && fail "wskstackd printed ready despite a bad config"
	ok "not started (no 'ready')"
}

with_line "$WORK/unknown_key.ini" port0 "wsk_no_such_key = 1"
expect_config_error "$WORK/unknown_key.ini" wsk_no_such_key

with_line "$WORK/bad_mtu.ini" port0 "mtu = 99999"
expect_config_error "$WORK/bad_mtu.ini" mtu

rc=0
timeout 20 "$WSKSTACKD" -c "$CONFIG" --no-such-option >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
say "wskstackd --no-such-option: exit $rc; stderr: $(head -c 300 "$WORK/err.txt" | tr '\n' ' ')"
check_eq "exit status for an unknown option" "$rc" 2
finish
