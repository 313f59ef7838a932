/* report.c - the table of output formats */
#include "report.h"

static const struct report_format formats[] = {
	{ "json", report_json_write },
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
	return "text, json";
}
