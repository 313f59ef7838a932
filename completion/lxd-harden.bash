# bash completion for lxd-harden                           -*- shell-script -*-
#
# Commands and options are read from the program's own --help, check ids
# from `lxd-harden checks --format ids`, and remote names from the lxc and
# incus client configurations, so nothing here goes stale.

# _lxd_harden_remotes: the remote names of the client configurations.
_lxd_harden_remotes()
{
	local f
	for f in "${LXD_CONF:-}/config.yml" "$HOME/.config/lxc/config.yml" \
		"$HOME/snap/lxd/common/config/config.yml" \
		"${INCUS_CONF:-}/config.yml" "$HOME/.config/incus/config.yml"; do
		[[ -r $f ]] || continue
		# The keys one level below "remotes:".
		awk '/^remotes:/ { in_r = 1; next }
		     /^[^ ]/ { in_r = 0 }
		     in_r && /^  [^ #][^:]*:/ {
			sub(/^  /, ""); sub(/:.*/, ""); gsub(/"/, ""); print }' "$f"
	done 2>/dev/null | sort -u
}

_lxd_harden()
{
	local cur prev words cword
	_init_completion -n = || return

	local prog=${words[0]} cmd= i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		local cmds
		cmds=$("$prog" --help 2>/dev/null |
			awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }')
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return
	fi

	case $prev in
	--remote)
		COMPREPLY=($(compgen -W "$(_lxd_harden_remotes)" -- "$cur"))
		return ;;
	--format)
		local fmts
		fmts=$("$prog" "$cmd" --help 2>/dev/null |
			sed -n 's/.*--format FORMAT *\([a-z, ]*\)(.*/\1/p' | tr ',' ' ')
		[[ $cmd == checks ]] && fmts="text json ids markdown"
		COMPREPLY=($(compgen -W "$fmts" -- "$cur"))
		return ;;
	--fail-on|--min-severity)
		COMPREPLY=($(compgen -W "critical high medium low info" -- "$cur"))
		return ;;
	--only|--check|--skip)
		COMPREPLY=($(compgen -W "$("$prog" checks --format ids 2>/dev/null)" \
			-- "$cur"))
		return ;;
	--section)
		# the sections are the middle part of the check ids
		COMPREPLY=($(compgen -W "$("$prog" checks --format ids 2>/dev/null |
			cut -d- -f2 | sort -u)" -- "${cur^^}"))
		return ;;
	--project|--jobs|--full-every|--exec-timeout|--timeout)
		return ;;
	--exec)
		COMPREPLY=($(compgen -c -- "$cur"))
		return ;;
	--input|--host-root|--journal-dir)
		_filedir -d
		return ;;
	--socket|--cert|--key|--server-cert|--policy|--releases|--baseline|--targets)
		_filedir
		return ;;
	-o|--output)
		_filedir
		return ;;
	esac

	if [[ $cmd == explain && $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$("$prog" checks --format ids 2>/dev/null)" \
			-- "${cur^^}"))
		return
	fi
	if [[ $cmd == profile && $cword -eq $((i + 1)) ]]; then
		COMPREPLY=($(compgen -W "create" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$prog" "$cmd" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	_filedir
} &&
	complete -F _lxd_harden lxd-harden

# ex: filetype=sh
