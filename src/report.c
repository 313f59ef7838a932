/* report.c - the table of output formats, and what they share */
#include "report.h"

#include <stdlib.h>

#include "escape.h"

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
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	struct strbuf sb = STRBUF_INIT;
	int rc = -1;

	json_decref(root);
	if (!text)
		return -1;
	/* the same JSON, but no server string acts on a terminal */
	escape_json_text(&sb, text);
	free(text);
	strbuf_addch(&sb, '\n');
	if (fwrite(sb.buf, 1, sb.len, f) == sb.len)
		rc = 0;
	strbuf_release(&sb);
	return rc;
}
