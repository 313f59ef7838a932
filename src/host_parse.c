/* host_parse.c - audit rules, firewall dumps and APT settings, as text */
#include "host.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonlim.h"

/* ------------------------------------------------------------ audit -- */

static void
strlist_remove(struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!str_eq(l->v[i], s))
			continue;
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
		l->n--;
		i--;
	}
}

static void
strlist_add_unique(struct strlist *l, const char *s)
{
	if (!strlist_has(l, s))
		strlist_push(l, s);
}

/* Splits a line into at most max words; returns how many. */
static size_t
split_words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return n;
}

/*
 * One rule: "-w PATH [-p PERMS] ..." (no -p means every permission),
 * "-W PATH" (removes a watch), "-D" (deletes every rule), or
 * "-a|-A always,exit ... -F path=PATH -F perm=...x..." (or -S execve).
 * "never" rules add nothing.
 */
static void
audit_rule(char **w, size_t n, struct strlist *exec_paths)
{
	const char *watch = NULL, *perm = NULL, *path = NULL, *fperm = NULL;
	bool add = false, always = false, execve = false, unwatch = false;

	if (n == 1 && str_eq(w[0], "-D")) {
		strlist_release(exec_paths);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *a = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if ((str_eq(a, "-w") || str_eq(a, "-W")) && v) {
			watch = v;
			unwatch = str_eq(a, "-W");
			i++;
		} else if (str_eq(a, "-p") && v) {
			perm = v;
			i++;
		} else if ((str_eq(a, "-a") || str_eq(a, "-A")) && v) {
			add = true;
			always = strstr(v, "always") != NULL &&
				 strstr(v, "exit") != NULL;
			i++;
		} else if (str_eq(a, "-S") && v) {
			if (strstr(v, "execve"))
				execve = true;
			i++;
		} else if (str_eq(a, "-F") && v) {
			if (str_starts_with(v, "path="))
				path = v + 5;
			else if (str_starts_with(v, "perm="))
				fperm = v + 5;
			i++;
		}
	}
	if (watch && unwatch) {
		strlist_remove(exec_paths, watch);
	} else if (watch) {
		if (!perm || strchr(perm, 'x'))
			strlist_add_unique(exec_paths, watch);
	} else if (add && always && path &&
		   ((fperm && strchr(fperm, 'x')) || execve)) {
		strlist_add_unique(exec_paths, path);
	}
}

void
host_parse_audit_rules(const char *text, struct strlist *exec_paths)
{
	const char *p = text ? text : "";

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		char *hash = strchr(line, '#');
		char *w[64];
		size_t n;

		if (hash)
			*hash = '\0';
		n = split_words(line, w, ARRAY_SIZE(w));
		if (n > 0)
			audit_rule(w, n, exec_paths);
		free(line);
		p += len;
		if (*p)
			p++;
	}
}

/* ----------------------------------------------------------- firewall -- */

static bool
fam_v4(const char *fam)
{
	return str_eq(fam, "ip") || str_eq(fam, "inet");
}

static bool
fam_v6(const char *fam)
{
	return str_eq(fam, "ip6") || str_eq(fam, "inet");
}

/*
 * A rule that drops everything that reaches it: no match, only counters
 * or logging, then drop or reject.
 */
static bool
nft_rule_drops_all(const json_t *expr)
{
	size_t i, n = json_array_size(expr);
	const char *key;
	json_t *v;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		json_t *st = json_array_get(expr, i);

		if (json_object_size(st) != 1)
			return false;
		json_object_foreach(st, key, v) {
			bool last = i + 1 == n;

			(void)v;
			if (last && (str_eq(key, "drop") ||
				     str_eq(key, "reject")))
				return true;
			if (!str_eq(key, "counter") && !str_eq(key, "log"))
				return false;
		}
	}
	return false;
}

static void
fw_mark(struct host_fw *fw, const char *fam, const char *where)
{
	if (fam_v4(fam) && !fw->v4_drop) {
		fw->v4_drop = true;
		fw->v4_where = xstrdup(where);
	}
	if (fam_v6(fam) && !fw->v6_drop) {
		fw->v6_drop = true;
		fw->v6_where = xstrdup(where);
	}
}

/*
 * A command's JSON output, parsed within the caps of a server's answer:
 * what a host command prints is foreign input too.
 */
static json_t *
host_json(const char *text, char *why, size_t len)
{
	const char *t = text ? text : "";

	return jsonlim_loadb(t, strlen(t), 0, &jsonlim_server, NULL, why,
			     len);
}

/*
 * Packets on the input hook must get through every base chain there, so
 * one chain that drops what it does not accept is enough: policy drop,
 * or a last-resort drop/reject rule. Jumps to other chains are not
 * followed.
 */
int
host_parse_nft(const char *text, struct host_fw *fw, struct diag *d)
{
	char why[256];
	json_t *root = host_json(text, why, sizeof(why));
	const json_t *items;
	size_t i, j;

	if (!root) {
		diag_set(d, "not nft JSON: %s", why);
		return -1;
	}
	items = json_object_get(root, "nftables");
	if (!json_is_array(items)) {
		diag_set(d, "not nft JSON: no \"nftables\" list");
		json_decref(root);
		return -1;
	}
	for (i = 0; i < json_array_size(items); i++) {
		const json_t *ch = json_object_get(json_array_get(items, i),
						   "chain");
		const char *fam, *table, *name, *hook, *policy;
		char *where;

		if (!ch)
			continue;
		fam = json_string_value(json_object_get(ch, "family"));
		table = json_string_value(json_object_get(ch, "table"));
		name = json_string_value(json_object_get(ch, "name"));
		hook = json_string_value(json_object_get(ch, "hook"));
		policy = json_string_value(json_object_get(ch, "policy"));
		if (!fam || !table || !name || !str_eq(hook, "input") ||
		    !(fam_v4(fam) || fam_v6(fam)))
			continue;
		if (str_eq(policy, "drop")) {
			where = xasprintf("nft table %s %s, chain %s "
					  "(policy drop)", fam, table, name);
			fw_mark(fw, fam, where);
			free(where);
			continue;
		}
		for (j = 0; j < json_array_size(items); j++) {
			const json_t *r = json_object_get(
				json_array_get(items, j), "rule");

			if (!r ||
			    !str_eq(json_string_value(json_object_get(
					    r, "family")), fam) ||
			    !str_eq(json_string_value(json_object_get(
					    r, "table")), table) ||
			    !str_eq(json_string_value(json_object_get(
					    r, "chain")), name) ||
			    !nft_rule_drops_all(json_object_get(r, "expr")))
				continue;
			where = xasprintf("nft table %s %s, chain %s (last "
					  "rule drops)", fam, table, name);
			fw_mark(fw, fam, where);
			free(where);
			break;
		}
	}
	json_decref(root);
	fw->ran = true;
	return 0;
}

int
host_parse_iptables(const char *text, bool v6, struct host_fw *fw,
		    struct diag *d)
{
	const char *p = text ? text : "";
	const char *fam = v6 ? "ip6" : "ip";
	const char *tool = v6 ? "ip6tables" : "iptables";
	bool seen = false;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		char *w[16];
		size_t n = split_words(line, w, ARRAY_SIZE(w));
		char *where = NULL;

		if (n == 3 && str_eq(w[0], "-P") && str_eq(w[1], "INPUT")) {
			seen = true;
			if (str_eq(w[2], "DROP"))
				where = xasprintf("%s INPUT (policy DROP)",
						  tool);
		} else if (n >= 4 && str_eq(w[0], "-A") &&
			   str_eq(w[1], "INPUT") && str_eq(w[2], "-j") &&
			   (str_eq(w[3], "DROP") || str_eq(w[3], "REJECT")) &&
			   (n == 4 || (n == 6 && str_eq(w[4],
							"--reject-with")))) {
			where = xasprintf("%s INPUT (last rule %s)", tool,
					  w[3]);
		}
		if (where) {
			fw_mark(fw, fam, where);
			free(where);
		}
		free(line);
		p += len;
		if (*p)
			p++;
	}
	if (!seen) {
		diag_set(d, "%s -S INPUT printed no INPUT policy", tool);
		return -1;
	}
	fw->ran = true;
	return 0;
}

/* ---------------------------------------------------------------- APT -- */

struct apt_lexer {
	const char *p;
	int line;
};

/* Skips blanks and comments: "//", "#" to the end of line, and C blocks. */
static void
apt_skip(struct apt_lexer *lx)
{
	for (;;) {
		while (*lx->p && isspace((unsigned char)*lx->p)) {
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		if ((lx->p[0] == '/' && lx->p[1] == '/') || lx->p[0] == '#') {
			while (*lx->p && *lx->p != '\n')
				lx->p++;
		} else if (lx->p[0] == '/' && lx->p[1] == '*') {
			const char *e = strstr(lx->p + 2, "*/");

			for (const char *q = lx->p; q < (e ? e : lx->p +
							 strlen(lx->p)); q++)
				if (*q == '\n')
					lx->line++;
			lx->p = e ? e + 2 : lx->p + strlen(lx->p);
		} else {
			return;
		}
	}
}

/* A quoted string (without its quotes), or NULL when unterminated. */
static char *
apt_quoted(struct apt_lexer *lx)
{
	const char *s = ++lx->p;
	const char *e = strchr(s, '"');

	if (!e)
		return NULL;
	for (const char *q = s; q < e; q++)
		if (*q == '\n')
			lx->line++;
	lx->p = e + 1;
	return xstrndup(s, (size_t)(e - s));
}

static char *
apt_word(struct apt_lexer *lx)
{
	const char *s = lx->p;

	while (*lx->p && !isspace((unsigned char)*lx->p) &&
	       !strchr("{};\"", *lx->p))
		lx->p++;
	return xstrndup(s, (size_t)(lx->p - s));
}

static void
apt_assign(const char *key, const char *value, const char *const *names,
	   char **values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(key, names[i]) != 0)
			continue;
		free(values[i]);
		values[i] = xstrdup(value);
	}
}

/*
 * apt.conf(5): "Name "value";", "Name { Sub "value"; };", "Name::Sub
 * "value";", list items ("value";) inside scopes, and comments. #clear
 * and #include are read as comments.
 */
int
host_parse_apt(const char *text, const char *const *names, char **values,
	       size_t n, struct diag *d)
{
	struct apt_lexer lx = { text ? text : "", 1 };
	struct strlist scope = { 0 };
	int rc = -1;

	for (;;) {
		char *tag, *value, *key;

		apt_skip(&lx);
		if (!*lx.p)
			break;
		if (*lx.p == '}') {
			if (scope.n == 0) {
				diag_set(d, "line %d: '}' without '{'",
					 lx.line);
				goto out;
			}
			free(scope.v[--scope.n]);
			lx.p++;
			apt_skip(&lx);
			if (*lx.p == ';')
				lx.p++;
			continue;
		}
		if (*lx.p == ';') {
			lx.p++;
			continue;
		}
		if (*lx.p == '"') {
			/* a list item */
			value = apt_quoted(&lx);
			if (!value) {
				diag_set(d, "line %d: unterminated string",
					 lx.line);
				goto out;
			}
			free(value);
			continue;
		}
		if (*lx.p == '{') {
			diag_set(d, "line %d: '{' without a name", lx.line);
			goto out;
		}
		tag = apt_word(&lx);
		apt_skip(&lx);
		if (*lx.p == '{') {
			lx.p++;
			strlist_push(&scope, tag);
			free(tag);
			continue;
		}
		if (*lx.p == '"') {
			value = apt_quoted(&lx);
			if (!value) {
				diag_set(d, "line %d: unterminated string",
					 lx.line);
				free(tag);
				goto out;
			}
		} else if (*lx.p == ';' || !*lx.p) {
			free(tag);
			continue;
		} else {
			value = apt_word(&lx);
		}
		apt_skip(&lx);
		if (*lx.p != ';') {
			diag_set(d, "line %d: ';' expected after '%s'",
				 lx.line, tag);
			free(tag);
			free(value);
			goto out;
		}
		lx.p++;
		{
			struct strbuf sb = STRBUF_INIT;

			for (size_t i = 0; i < scope.n; i++) {
				strbuf_addstr(&sb, scope.v[i]);
				strbuf_addstr(&sb, "::");
			}
			strbuf_addstr(&sb, tag);
			key = strbuf_detach(&sb);
		}
		apt_assign(key, value, names, values, n);
		free(key);
		free(tag);
		free(value);
	}
	if (scope.n) {
		diag_set(d, "line %d: '%s {' is not closed", lx.line,
			 scope.v[scope.n - 1]);
		goto out;
	}
	rc = 0;
out:
	strlist_release(&scope);
	return rc;
}

/* ------------------------------------------------------- Ubuntu Pro -- */

void
host_pro_release(struct host_pro *p)
{
	free(p->version);
	free(p->esm_infra);
	free(p->esm_apps);
	memset(p, 0, sizeof(*p));
}

/*
 * The status of one service in "services"; NULL when it is not listed.
 * An attached machine reports each service's "status"; an unattached one
 * lists only name, description and availability.
 */
static int
pro_service(const json_t *services, const char *name, bool attached,
	    char **status, struct diag *d)
{
	const json_t *svc;
	size_t i;

	*status = NULL;
	json_array_foreach (services, i, svc) {
		const json_t *st;

		if (!json_is_object(svc) ||
		    !json_is_string(json_object_get(svc, "name"))) {
			diag_set(d, "services[%zu] is not an object with a "
				    "string \"name\"", i);
			return -1;
		}
		if (!str_eq(json_string_value(json_object_get(svc, "name")),
			    name))
			continue;
		st = json_object_get(svc, "status");
		if (st && !json_is_string(st)) {
			diag_set(d, "the \"status\" of %s is not a string",
				 name);
			return -1;
		}
		if (!st && attached) {
			diag_set(d, "the machine is attached but %s has no "
				    "\"status\"", name);
			return -1;
		}
		if (st) {
			free(*status);
			*status = xstrdup(json_string_value(st));
		}
	}
	return 0;
}

int
host_parse_pro_status(const char *json, struct host_pro *p, struct diag *d)
{
	char why[256];
	json_t *root;
	const json_t *attached, *services, *version;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	root = host_json(json, why, sizeof(why));
	if (!root) {
		diag_set(d, "not JSON: %s", why);
		return -1;
	}
	attached = json_object_get(root, "attached");
	services = json_object_get(root, "services");
	version = json_object_get(root, "version");
	if (!json_is_object(root)) {
		diag_set(d, "not a JSON object");
	} else if (!json_is_boolean(attached)) {
		diag_set(d, "no boolean \"attached\"");
	} else if (!json_is_array(services)) {
		diag_set(d, "no \"services\" list");
	} else if (version && !json_is_string(version)) {
		diag_set(d, "\"version\" is not a string");
	} else {
		p->attached = json_is_true(attached);
		if (version)
			p->version = xstrdup(json_string_value(version));
		if (pro_service(services, "esm-infra", p->attached,
				&p->esm_infra, d) == 0 &&
		    pro_service(services, "esm-apps", p->attached,
				&p->esm_apps, d) == 0)
			rc = 0;
	}
	json_decref(root);
	if (rc != 0)
		host_pro_release(p);
	return rc;
}

/* ---------------------------------------------------------- os-release -- */

/* One os-release value: shell-like, optionally quoted, \-escapes. */
static char *
os_release_value(const char *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char q = 0;

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		q = v[0];
		v++;
		n -= 2;
	}
	for (size_t i = 0; i < n; i++) {
		if (q != '\'' && v[i] == '\\' && i + 1 < n)
			i++;
		strbuf_add(&sb, &v[i], 1);
	}
	if (!sb.buf)
		return xstrdup("");
	return strbuf_detach(&sb);
}

void
host_parse_os_release(const char *text, char **id, char **name)
{
	char *vals[3] = { NULL, NULL, NULL };	/* ID, PRETTY_NAME, NAME */
	static const char *const keys[3] = { "ID=", "PRETTY_NAME=", "NAME=" };

	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		size_t n = len;

		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
			     line[n - 1] == '\t'))
			n--;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t kl = strlen(keys[k]);

			if (n >= kl && !strncmp(line, keys[k], kl)) {
				free(vals[k]);
				vals[k] = os_release_value(line + kl, n - kl);
			}
		}
		line += len;
		if (*line)
			line++;
	}
	if (str_empty(vals[0])) {
		free(vals[0]);
		vals[0] = xstrdup("linux");	/* the default of os-release(5) */
	}
	for (char *p = vals[0]; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*id = vals[0];
	*name = !str_empty(vals[1]) ? xstrdup(vals[1])
		: !str_empty(vals[2])	? xstrdup(vals[2])
					: xstrdup(vals[0]);
	free(vals[1]);
	free(vals[2]);
}
