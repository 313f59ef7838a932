/* report.c - the table of output formats, and what they share */
#include "report.h"

static const struct report_format formats[] = {
	{ "html", report_html_write },
	{ "json", report_json_write },
	{ "junit", report_junit_write },
	{ "markdown", report_markdown_write },
	{ "prometheus", report_prometheus_write },
	{ "sarif", report_sarif_write },
	{ "text", report_text_write },
};

const struct report_format *
report_format_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (str_eq(formats[i].name, name))
			return &formats[i];
	return NULL;
}

const char *
report_format_names(void)
{
	return "text, json, sarif, junit, html, prometheus, markdown";
}

int
report_dump_json(FILE *f, json_t *root)
{
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(root);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc;
}
