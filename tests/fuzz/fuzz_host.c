/*
 * fuzz_host.c - the parsers of what the host says: audit rules, an nft
 * JSON ruleset, iptables -S output, APT configuration, pro status JSON
 * and os-release. The first byte picks the parser: below 0x80 its value
 * modulo 4 picks one of the first four, from 0x80 its low bit picks
 * os-release (0) or pro status (1).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "host.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fw_release(struct host_fw *fw)
{
	free(fw->name);
	free(fw->error);
	free(fw->v4_where);
	free(fw->v6_where);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const apt_names[] = {
		"APT::Periodic::Update-Package-Lists",
		"APT::Periodic::Unattended-Upgrade",
	};
	struct diag d = { { 0 } };
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_cstr(data + 1, size - 1);
	if (data[0] >= 0x80) {
		if (data[0] & 1) {
			struct host_pro pro;

			if (host_parse_pro_status(text, &pro, &d) == 0)
				host_pro_release(&pro);
		} else {
			char *id, *name;

			host_parse_os_release(text, &id, &name);
			free(id);
			free(name);
		}
		free(text);
		return 0;
	}
	switch (data[0] % 4) {
	case 0: {
		struct strlist paths = { 0 };

		host_parse_audit_rules(text, &paths);
		strlist_release(&paths);
		break;
	}
	case 1: {
		struct host_fw fw = { 0 };

		(void)host_parse_nft(text, &fw, &d);
		fw_release(&fw);
		break;
	}
	case 2: {
		struct host_fw fw = { 0 };

		(void)host_parse_iptables(text, data[0] & 4, &fw, &d);
		fw_release(&fw);
		break;
	}
	default: {
		char *values[2] = { NULL, NULL };

		(void)host_parse_apt(text, apt_names, values, 2, &d);
		free(values[0]);
		free(values[1]);
		break;
	}
	}
	free(text);
	return 0;
}
