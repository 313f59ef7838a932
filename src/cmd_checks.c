/* cmd_checks.c - lxd-harden checks and explain: the catalog for people */
#include "cmd.h"

#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cite.h"
#include "markdown.h"

static int
checks_json(void)
{
	json_t *arr = json_array();
	int rc;

	for (const struct section *s = catalog_sections; s->prefix; s++) {
		for (const struct check *c = s->checks; c->id; c++) {
			json_t *o = json_object();

			json_object_set_new(o, "id", json_string(c->id));
			json_object_set_new(o, "section", json_string(s->name));
			json_object_set_new(o, "severity",
					    json_string(severity_name(c->severity)));
			json_object_set_new(o, "title", json_string(c->title));
			json_object_set_new(o, "rationale",
					    json_string(c->rationale));
			json_object_set_new(o, "reads", json_string(c->reads));
			json_object_set_new(o, "remediation",
					    json_string(c->remediation));
			if (cite_guide(c->id))
				json_object_set_new(
					o, "guide", json_string(cite_guide(c->id)));
			json_array_append_new(arr, o);
		}
	}
	rc = json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (rc == 0)
		putchar('\n');
	return rc;
}

/* One reference line: "LXD: url, url" (nothing when there is none). */
static void
md_refs(struct strbuf *sb, const char *id, const char *product,
	const char *label)
{
	const char *urls[CITE_MAX_REFS];
	size_t n = cite_refs(id, product, urls);

	if (!n)
		return;
	strbuf_addf(sb, "- %s: ", label);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s<%s>", i ? ", " : "", urls[i]);
	strbuf_addch(sb, '\n');
}

/* The catalog as Markdown: what docs/checks.md is made of. */
static int
checks_markdown(void)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	strbuf_addstr(&sb, "# The lxd\\-harden check catalog\n\n"
			   "Written by `lxd-harden checks --format markdown`; "
			   "the test suite fails when this file differs from "
			   "what the program writes. Each check names the "
			   "section of LXD's guide [How to harden security "
			   "for LXD](" CITE_GUIDE_URL ") it comes from.\n");
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		strbuf_addstr(&sb, "\n## ");
		md_prose(&sb, s->name);
		strbuf_addch(&sb, '\n');
		for (const struct check *c = s->checks; c->id; c++) {
			strbuf_addf(&sb, "\n### %s: ", c->id);
			md_prose(&sb, c->title);
			strbuf_addf(&sb, "\n\nSeverity: **%s**. ",
				    severity_name(c->severity));
			if (cite_guide(c->id))
				strbuf_addf(&sb, "[Guide section](%s).",
					    cite_guide(c->id));
			strbuf_addstr(&sb, "\n\n**Why it matters.** ");
			md_prose(&sb, c->rationale);
			strbuf_addstr(&sb, "\n\n**What is read.** ");
			md_prose(&sb, c->reads);
			strbuf_addstr(&sb, "\n\n**How to fix.** ");
			md_prose(&sb, c->remediation);
			strbuf_addstr(&sb, "\n\n");
			md_refs(&sb, c->id, "lxd", "LXD reference");
			md_refs(&sb, c->id, "incus", "Incus reference");
		}
	}
	if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len ||
	    fflush(stdout) == EOF)
		rc = -1;
	strbuf_release(&sb);
	return rc;
}

int
cmd_checks(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			puts("usage: lxd-harden checks "
			     "[--format text|json|ids|markdown]");
			return EXIT_CLEAN;
		default:
			cmd_bad_option(argv);
			fputs("usage: lxd-harden checks [--format "
			      "text|json|ids|markdown]\n",
			      stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s'", argv[optind]);
		return EXIT_ERROR;
	}
	if (strcmp(format, "json") == 0)
		return checks_json() == 0 ? EXIT_CLEAN : EXIT_ERROR;
	if (strcmp(format, "markdown") == 0)
		return checks_markdown() == 0 ? EXIT_CLEAN : EXIT_ERROR;
	if (strcmp(format, "ids") == 0) {
		/* One id a line: for shell completion and scripts. */
		for (const struct section *s = catalog_sections; s->prefix; s++)
			for (const struct check *k = s->checks; k->id; k++)
				puts(k->id);
		return EXIT_CLEAN;
	}
	if (strcmp(format, "text") != 0) {
		cmd_error("unknown format '%s' (text, json, ids, markdown)",
			  format);
		return EXIT_ERROR;
	}
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		printf("%s\n", s->name);
		for (const struct check *k = s->checks; k->id; k++)
			printf("  %s  %-8s  %s\n", k->id,
			       severity_name(k->severity), k->title);
	}
	return EXIT_CLEAN;
}

/* Prints text wrapped at 76 columns with a four-space indent. */
static void
print_wrapped(const char *text)
{
	const char *p = text;
	size_t col = 0;

	fputs("    ", stdout);
	while (*p) {
		size_t w = strcspn(p, " ");

		if (col && col + 1 + w > 72) {
			fputs("\n    ", stdout);
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		fwrite(p, 1, w, stdout);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

/* The guide section, and the reference pages for LXD and for Incus. */
static void
print_cites(const struct check *c)
{
	const char *lxd[CITE_MAX_REFS], *incus[CITE_MAX_REFS];
	size_t nl = cite_refs(c->id, "lxd", lxd);
	size_t ni = cite_refs(c->id, "incus", incus);

	puts("\nGuide:");
	printf("    %s\n", cite_guide(c->id));
	if (nl) {
		puts("\nReference (LXD):");
		for (size_t i = 0; i < nl; i++)
			printf("    %s\n", lxd[i]);
	}
	if (ni) {
		puts("\nReference (Incus):");
		for (size_t i = 0; i < ni; i++)
			printf("    %s\n", incus[i]);
	}
}

int
cmd_explain(int argc, char **argv)
{
	const struct check *c;
	const struct section *s;
	char id[32];

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: lxd-harden explain CHECK-ID\n", argc == 2 &&
		      strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc == 2 && strcmp(argv[1], "--help") == 0 ?
			       EXIT_CLEAN :
			       EXIT_ERROR;
	}
	/* ids are upper case; accept what people type */
	snprintf(id, sizeof(id), "%s", argv[1]);
	for (char *p = id; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	c = catalog_find(id);
	if (!c) {
		cmd_error("no check '%s' (see 'lxd-harden checks')", argv[1]);
		return EXIT_ERROR;
	}
	s = catalog_section_of(c);
	printf("%s  %s\n", c->id, c->title);
	printf("section: %s   severity: %s\n\n", s ? s->name : "?",
	       severity_name(c->severity));
	puts("Why it matters:");
	print_wrapped(c->rationale);
	puts("\nWhat is read:");
	print_wrapped(c->reads);
	puts("\nHow to fix:");
	print_wrapped(c->remediation);
	print_cites(c);
	return EXIT_CLEAN;
}
