/* yamlutil.c - see yamlutil.h */
#include "yamlutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *
yaml_str(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (n->tag && strcmp((const char *)n->tag, YAML_STR_TAG) != 0)
		return NULL;
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

void
yaml_error_at(struct diag *d, const char *file, const yaml_node_t *n,
	      const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (n)
		diag_set(d, "%s:%zu:%zu: %s", file, n->start_mark.line + 1,
			 n->start_mark.column + 1, msg);
	else
		diag_set(d, "%s: %s", file, msg);
	free(msg);
}
