/* cmd_usg.c - lxd-harden usg-tailoring: a CIS tailoring file for LXD hosts */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "lxdh_config.h"
#include "util.h"
#include "xmlesc.h"

#define SSG_NS "xccdf_org.ssgproject.content_"

/*
 * The three rules the LXD hardening guide says fail falsely on LXD
 * hosts: the UEFI boot loader password is reported missing even when it
 * is set, and unprivileged containers own files under
 * /sys/fs/cgroup/lxc.payload.* through their user namespace, which the
 * two ownership rules count as unowned.
 */
static const char *const false_failures[] = {
	SSG_NS "rule_grub2_uefi_password",
	SSG_NS "rule_no_files_unowned_by_user",
	SSG_NS "rule_file_permissions_ungroupowned",
};

/*
 * Assumption (documented in --help): the Ubuntu Security Guide installs
 * the ComplianceAsCode data stream for the release as
 * ssg-ubuntuXXXX-ds.xml under /usr/share/ubuntu-scap-security-guides;
 * the default names the one for Ubuntu 24.04. oscap and usg take the data
 * stream on their own command line, and --benchmark changes the href.
 */
#define DEFAULT_BENCHMARK \
	"/usr/share/ubuntu-scap-security-guides/current/benchmarks/" \
	"ssg-ubuntu2404-ds.xml"

static void
usg_usage(FILE *f)
{
	fputs("usage: lxd-harden usg-tailoring [options]\n"
	      "\n"
	      "Writes an XCCDF 1.2 tailoring file for the Ubuntu Security\n"
	      "Guide or OpenSCAP that keeps a CIS profile but turns off the\n"
	      "three rules the LXD hardening guide says fail falsely on LXD\n"
	      "hosts: grub2_uefi_password, no_files_unowned_by_user and\n"
	      "file_permissions_ungroupowned.\n"
	      "\n"
	      "  --profile NAME     the profile to extend (default\n"
	      "                     cis_level1_server); the new one is\n"
	      "                     NAME_lxd\n"
	      "  --benchmark HREF   the data stream the file names (default\n"
	      "                     " DEFAULT_BENCHMARK ")\n"
	      "  -o, --output FILE  write to FILE (atomically), not stdout\n"
	      "\n"
	      "Then run one of:\n"
	      "  usg audit --tailoring-file FILE\n"
	      "  oscap xccdf eval --tailoring-file FILE --profile \\\n"
	      "    xccdf_org.ssgproject.content_profile_NAME_lxd DATASTREAM\n",
	      f);
}

/* Profile names become XML ids: letters, digits, '_', '-' and '.'. */
static bool
profile_ok(const char *p)
{
	if (!*p)
		return false;
	for (const char *c = p; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
		      *c == '.'))
			return false;
	return true;
}

static char *
tailoring_xml(const char *profile, const char *benchmark)
{
	struct strbuf sb = STRBUF_INIT;
	char when[32];

	format_rfc3339(now_epoch(), when, sizeof(when));
	strbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addstr(&sb,
		      "<!-- lxd-harden " LXDH_VERSION " usg-tailoring: a CIS "
		      "profile without the three\n"
		      "     rules that fail falsely on LXD hosts (LXD "
		      "hardening guide). -->\n");
	strbuf_addf(&sb,
		    "<xccdf:Tailoring "
		    "xmlns:xccdf=\"http://checklists.nist.gov/xccdf/1.2\" "
		    "id=\"xccdf_lxd-harden_tailoring_%s_lxd\">\n",
		    profile);
	strbuf_addstr(&sb, "  <xccdf:benchmark href=\"");
	xmlesc_attr(&sb, benchmark);
	strbuf_addstr(&sb, "\"/>\n");
	strbuf_addf(&sb, "  <xccdf:version time=\"%s\">1</xccdf:version>\n",
		    when);
	strbuf_addf(&sb,
		    "  <xccdf:Profile id=\"" SSG_NS "profile_%s_lxd\" "
		    "extends=\"" SSG_NS "profile_%s\">\n",
		    profile, profile);
	strbuf_addf(&sb,
		    "    <xccdf:title xml:lang=\"en-US\" override=\"true\">"
		    "%s for LXD hosts</xccdf:title>\n",
		    profile);
	strbuf_addf(&sb,
		    "    <xccdf:description xml:lang=\"en-US\" "
		    "override=\"true\">The %s profile without the three "
		    "rules that fail falsely on LXD hosts: the UEFI boot "
		    "loader password is reported missing even when it is "
		    "set (confirm it by hand), and unprivileged containers "
		    "own files under /sys/fs/cgroup/lxc.payload.* through "
		    "their user namespace.</xccdf:description>\n",
		    profile);
	for (size_t i = 0; i < ARRAY_SIZE(false_failures); i++)
		strbuf_addf(&sb,
			    "    <xccdf:select idref=\"%s\" "
			    "selected=\"false\"/>\n",
			    false_failures[i]);
	strbuf_addstr(&sb, "  </xccdf:Profile>\n</xccdf:Tailoring>\n");
	return strbuf_detach(&sb);
}

static int
write_text(FILE *f, void *ctx)
{
	return fputs(ctx, f) == EOF ? -1 : 0;
}

int
cmd_usg_tailoring(int argc, char **argv)
{
	enum { OPT_PROFILE = 256, OPT_BENCHMARK };
	static const struct option longopts[] = {
		{ "benchmark", required_argument, NULL, OPT_BENCHMARK },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = "cis_level1_server";
	const char *benchmark = DEFAULT_BENCHMARK;
	const char *output = NULL;
	char *xml;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROFILE:
			profile = optarg;
			break;
		case OPT_BENCHMARK:
			benchmark = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usg_usage(stdout);
			return EXIT_CLEAN;
		default:
			cmd_bad_option(argv);
			usg_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s' (see 'lxd-harden "
			  "usg-tailoring --help')", argv[optind]);
		return EXIT_ERROR;
	}
	if (str_starts_with(profile, SSG_NS "profile_"))
		profile += strlen(SSG_NS "profile_");
	if (!profile_ok(profile)) {
		cmd_error("profile '%s' is not a profile name (letters, "
			  "digits, '_', '-' and '.', such as "
			  "cis_level1_server)", profile);
		return EXIT_ERROR;
	}
	if (!*benchmark) {
		cmd_error("--benchmark needs an href");
		return EXIT_ERROR;
	}
	xml = tailoring_xml(profile, benchmark);
	if (output) {
		rc = atomic_write(output, 0644, write_text, xml) == 0 ?
			     EXIT_CLEAN : EXIT_ERROR;
	} else if (fputs(xml, stdout) == EOF || fflush(stdout) != 0) {
		cmd_error("cannot write the tailoring file: %s",
			  strerror(errno));
		rc = EXIT_ERROR;
	} else {
		rc = EXIT_CLEAN;
	}
	free(xml);
	return rc;
}
