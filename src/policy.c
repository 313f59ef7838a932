/* policy.c - the user's thresholds and approved admins (--policy FILE) */
#include "policy.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "catalog.h"
#include "yamlutil.h"

#define POLICY_MAX_SIZE ((size_t)4 << 20)
/*
 * The schema nests four levels (waivers: - check: X); libyaml's scanner
 * costs time quadratic in nesting, and its document holds every node, so
 * both are capped before a document is built.
 */
#define POLICY_MAX_DEPTH 16
#define POLICY_MAX_NODES 100000

bool
strlist_has(const struct strlist *l, const char *s)
{
	if (!l || !s)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void
strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void
strlist_release(struct strlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->token_expiry_max = 15 * 60;
	p->cert_lifetime_max = 90LL * 86400;
	p->expiring_window = 30LL * 86400;
	p->oidc_session_max = 86400;
}

void
policy_release(struct policy *p)
{
	if (!p)
		return;
	free(p->path);
	strlist_release(&p->admin_members);
	strlist_release(&p->admin_certs);
	strlist_release(&p->admin_identities);
	for (size_t i = 0; i < p->n_skips; i++) {
		free(p->skips[i].check);
		free(p->skips[i].reason);
	}
	free(p->skips);
	for (size_t i = 0; i < p->n_overrides; i++)
		free(p->overrides[i].check);
	free(p->overrides);
	for (size_t i = 0; i < p->n_waivers; i++) {
		free(p->waivers[i].check);
		free(p->waivers[i].object);
		free(p->waivers[i].reason);
		free(p->waivers[i].expires);
	}
	free(p->waivers);
	memset(p, 0, sizeof(*p));
}

/* --- the schema ----------------------------------------------------------- */

struct pctx {
	const char *file;
	yaml_document_t doc;
	struct policy *p;
	struct diag *d;
};

struct policy_key;

/* Parses node, the value of key k inside section (NULL: the top level). */
typedef int (*policy_parse_fn)(struct pctx *c, const struct policy_key *k,
			       const yaml_node_t *node, const char *section);

/*
 * One key of a mapping. A new key is one more row: a parse function,
 * where its value goes in struct policy, or the rows of a sub-mapping.
 */
struct policy_key {
	const char *name;
	policy_parse_fn parse;
	size_t off;			/* of the field in struct policy */
	const struct policy_key *keys;	/* parse_section: its keys */
	bool required;
};

static int parse_version(struct pctx *c, const struct policy_key *k,
			 const yaml_node_t *node, const char *section);
static int parse_section(struct pctx *c, const struct policy_key *k,
			 const yaml_node_t *node, const char *section);
static int parse_duration(struct pctx *c, const struct policy_key *k,
			  const yaml_node_t *node, const char *section);
static int parse_strlist(struct pctx *c, const struct policy_key *k,
			 const yaml_node_t *node, const char *section);
static int parse_skips(struct pctx *c, const struct policy_key *k,
		       const yaml_node_t *node, const char *section);
static int parse_overrides(struct pctx *c, const struct policy_key *k,
			   const yaml_node_t *node, const char *section);
static int parse_waivers(struct pctx *c, const struct policy_key *k,
			 const yaml_node_t *node, const char *section);

static const struct policy_key threshold_keys[] = {
	{ .name = "token_expiry_max", .parse = parse_duration,
	  .off = offsetof(struct policy, token_expiry_max) },
	{ .name = "cert_lifetime_max", .parse = parse_duration,
	  .off = offsetof(struct policy, cert_lifetime_max) },
	{ .name = "expiring_window", .parse = parse_duration,
	  .off = offsetof(struct policy, expiring_window) },
	{ .name = "oidc_session_max", .parse = parse_duration,
	  .off = offsetof(struct policy, oidc_session_max) },
	{ .name = NULL },
};

static const struct policy_key admin_keys[] = {
	{ .name = "group_members", .parse = parse_strlist,
	  .off = offsetof(struct policy, admin_members) },
	{ .name = "certificates", .parse = parse_strlist,
	  .off = offsetof(struct policy, admin_certs) },
	{ .name = "identities", .parse = parse_strlist,
	  .off = offsetof(struct policy, admin_identities) },
	{ .name = NULL },
};

static const struct policy_key top_keys[] = {
	{ .name = "version", .parse = parse_version, .required = true },
	{ .name = "thresholds", .parse = parse_section,
	  .keys = threshold_keys },
	{ .name = "admins", .parse = parse_section, .keys = admin_keys },
	{ .name = "skip", .parse = parse_skips },
	{ .name = "severity", .parse = parse_overrides },
	{ .name = "waivers", .parse = parse_waivers },
	{ .name = NULL },
};

/* --- helpers -------------------------------------------------------------- */

static void *
field(struct pctx *c, const struct policy_key *k)
{
	return (char *)c->p + k->off;
}

static char *
full_name(const struct policy_key *k, const char *section)
{
	return section ? xasprintf("%s.%s", section, k->name) :
			 xstrdup(k->name);
}

/*
 * The text of a string scalar (yaml_str) written plain or quoted: a
 * block scalar is not a value the policy expects. NULL for anything
 * else.
 */
static const char *
scalar_text(const yaml_node_t *n)
{
	const char *t = yaml_str(n);

	if (t && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
	    n->data.scalar.style != YAML_SINGLE_QUOTED_SCALAR_STYLE &&
	    n->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return NULL;
	return t;
}

static bool
all_digits(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static bool
is_number(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (!strncmp(s, "0x", 2))
		return all_digits(s + 2, "0123456789abcdefABCDEF");
	if (!strncmp(s, "0o", 2))
		return all_digits(s + 2, "01234567");
	if (*p == '+' || *p == '-')
		p++;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF"))
		return true;
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
		return true;
	for (; *p >= '0' && *p <= '9'; p++)
		digits = true;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits = true;
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return !*p;
}

/* What a plain scalar would be to a YAML reader, if not a string. */
static const char *
plain_type(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = {
		"true", "True", "TRUE", "false", "False", "FALSE",
		"yes", "Yes", "YES", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF",
	};
	const char *s = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(s, nulls[i]))
			return "null";
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++)
		if (!strcmp(s, bools[i]))
			return "a boolean";
	if (is_number(s))
		return "a number";
	return NULL;
}

static const char *
node_kind(const yaml_node_t *n)
{
	const char *t;

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	t = plain_type(n);
	return t ? t : "a string";
}

/* A string value: a quoted scalar, or a plain one YAML reads as text. */
static const char *
string_value(const yaml_node_t *n)
{
	const char *s = scalar_text(n);

	if (!s || plain_type(n))
		return NULL;
	return s;
}

/* --- parsers -------------------------------------------------------------- */

static int
parse_mapping(struct pctx *c, const yaml_node_t *map,
	      const struct policy_key *keys, const char *section)
{
	const yaml_node_pair_t *p, *q;
	const struct policy_key *k;
	char *where = section ? xasprintf("in '%s'", section) :
				xstrdup("at the top level");
	int rc = -1;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		const char *name = string_value(kn);

		if (!name) {
			yaml_error_at(c->d, c->file, kn,
				      "keys must be strings %s, not %s", where,
				      node_kind(kn));
			goto out;
		}
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			const yaml_node_t *prev =
				yaml_document_get_node(&c->doc, q->key);

			if (str_eq(scalar_text(prev), name)) {
				yaml_error_at(c->d, c->file, kn,
					      "duplicate key '%s' %s", name,
					      where);
				goto out;
			}
		}
		for (k = keys; k->name; k++)
			if (!strcmp(k->name, name))
				break;
		if (!k->name) {
			yaml_error_at(c->d, c->file, kn, "unknown key '%s' %s",
				      name, where);
			goto out;
		}
		if (k->parse(c, k, yaml_document_get_node(&c->doc, p->value),
			     section))
			goto out;
	}
	for (k = keys; k->name; k++) {
		bool seen = false;

		if (!k->required)
			continue;
		for (p = map->data.mapping.pairs.start;
		     p < map->data.mapping.pairs.top && !seen; p++)
			seen = str_eq(scalar_text(yaml_document_get_node(
					      &c->doc, p->key)), k->name);
		if (!seen) {
			yaml_error_at(c->d, c->file, map,
				      "missing required key '%s' %s", k->name,
				      where);
			goto out;
		}
	}
	rc = 0;
out:
	free(where);
	return rc;
}

static int
parse_section(struct pctx *c, const struct policy_key *k,
	      const yaml_node_t *node, const char *section)
{
	char *name = full_name(k, section);
	int rc;

	if (node->type != YAML_MAPPING_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "'%s' must be a mapping, not %s", name,
			      node_kind(node));
		free(name);
		return -1;
	}
	rc = parse_mapping(c, node, k->keys, name);
	free(name);
	return rc;
}

static int
parse_version(struct pctx *c, const struct policy_key *k,
	      const yaml_node_t *node, const char *section)
{
	const char *s = scalar_text(node);

	(void)k;
	(void)section;
	if (!s || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !all_digits(s, "0123456789")) {
		yaml_error_at(c->d, c->file, node,
			      "'version' must be the integer 1, not %s",
			      node_kind(node));
		return -1;
	}
	if (strcmp(s, "1") != 0) {
		yaml_error_at(c->d, c->file, node,
			      "unsupported policy version %.20s (only "
			      "version 1 is known)",
			      s);
		return -1;
	}
	return 0;
}

/*
 * LXD's expiry syntax (shared/util.go GetExpiry): parts separated by
 * single spaces, each digits and a case-sensitive unit. Months and years
 * are calendar steps in LXD, not fixed lengths, so a threshold in
 * seconds cannot hold them. Returns NULL or what is wrong.
 */
static const char *
duration_parse(const char *s, long long *out)
{
	static const struct {
		char unit;
		long long secs;
	} units[] = {
		{ 'S', 1 }, { 'M', 60 }, { 'H', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	bool seen[ARRAY_SIZE(units)] = { false };
	long long total = 0;
	const char *p = s;

	if (!*s)
		return "it is empty";
	for (;;) {
		long long v = 0;
		const char *start = p;
		size_t u;

		while (*p >= '0' && *p <= '9') {
			if (v > (LLONG_MAX - 9) / 10)
				return "it is too large";
			v = v * 10 + (*p++ - '0');
		}
		if (p == start)
			goto bad;
		if (*p == 'm' || *p == 'y')
			return "months (m) and years (y) are not fixed "
			       "durations; use d or w";
		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (*p == units[u].unit)
				break;
		if (u == ARRAY_SIZE(units))
			goto bad;
		if (seen[u])
			return "a unit is given twice";
		seen[u] = true;
		if (v > (LLONG_MAX - total) / units[u].secs)
			return "it is too large";
		total += v * units[u].secs;
		p++;
		if (!*p)
			break;
		if (*p != ' ' || !p[1])
			goto bad;
		p++;
	}
	*out = total;
	return NULL;
bad:
	return "each part must be a number followed by S, M, H, d or w, "
	       "parts separated by one space (e.g. 15M, 90d, 1d 12H)";
}

static int
parse_duration(struct pctx *c, const struct policy_key *k,
	       const yaml_node_t *node, const char *section)
{
	char *name = full_name(k, section);
	const char *s = string_value(node);
	const char *why;
	long long v;
	int rc = -1;

	if (!s) {
		yaml_error_at(c->d, c->file, node,
			      "'%s' must be a duration such as 15M or "
			      "90d, not %s",
			      name, node_kind(node));
		goto out;
	}
	why = duration_parse(s, &v);
	if (why) {
		yaml_error_at(c->d, c->file, node,
			      "bad duration '%.40s' for '%s': %s", s, name,
			      why);
		goto out;
	}
	*(long long *)field(c, k) = v;
	rc = 0;
out:
	free(name);
	return rc;
}

static int
parse_strlist(struct pctx *c, const struct policy_key *k,
	      const yaml_node_t *node, const char *section)
{
	struct strlist *l = field(c, k);
	char *name = full_name(k, section);
	const yaml_node_item_t *it;
	int rc = -1;

	if (node->type != YAML_SEQUENCE_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "'%s' must be a list of strings, not %s", name,
			      node_kind(node));
		goto out;
	}
	strlist_release(l);
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		const yaml_node_t *n = yaml_document_get_node(&c->doc, *it);
		const char *s = string_value(n);

		if (!s || !*s) {
			yaml_error_at(c->d, c->file, n,
				      "items of '%s' must be non-empty "
				      "strings, not %s%s",
				      name,
				      s ? "an empty string" : node_kind(n),
				      plain_type(n) && *n->data.scalar.value
					      ? " (quote it if it is a name)"
					      : "");
			goto out;
		}
		strlist_push(l, s);
	}
	l->set = true;
	rc = 0;
out:
	free(name);
	return rc;
}

/*
 * The items of skip and waivers are small mappings with fixed keys:
 * fills vals[i] with the value node of names[i] (NULL when absent) and
 * complains about unknown, duplicate and missing required keys.
 */
static int
parse_item(struct pctx *c, const yaml_node_t *node, const char *where,
	   const char *const *names, const bool *required,
	   const yaml_node_t **vals, size_t n)
{
	const yaml_node_pair_t *p;

	if (node->type != YAML_MAPPING_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "items of '%s' must be mappings, not %s", where,
			      node_kind(node));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		vals[i] = NULL;
	for (p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		const yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		const char *name = string_value(kn);
		size_t i;

		for (i = 0; name && i < n; i++)
			if (!strcmp(names[i], name))
				break;
		if (!name || i == n) {
			yaml_error_at(c->d, c->file, kn,
				      "unknown key '%s' in an item of '%s'",
				      name ? name : "?", where);
			return -1;
		}
		if (vals[i]) {
			yaml_error_at(c->d, c->file, kn,
				      "duplicate key '%s' in an item of '%s'",
				      name, where);
			return -1;
		}
		vals[i] = yaml_document_get_node(&c->doc, p->value);
	}
	for (size_t i = 0; i < n; i++) {
		if (required[i] && !vals[i]) {
			yaml_error_at(c->d, c->file, node,
				      "missing required key '%s' in an "
				      "item of '%s'",
				      names[i], where);
			return -1;
		}
	}
	return 0;
}

/* A non-empty string, or an error naming what it should have been. */
static const char *
need_string(struct pctx *c, const yaml_node_t *n, const char *what)
{
	const char *s = string_value(n);

	if (!s || !*s) {
		yaml_error_at(c->d, c->file, n,
			      "'%s' must be a non-empty string, not %s", what,
			      s ? "an empty string" : node_kind(n));
		return NULL;
	}
	return s;
}

/* A check id the catalog knows; a typo must not silently skip nothing. */
static const char *
need_check(struct pctx *c, const yaml_node_t *n, const char *what)
{
	const char *s = need_string(c, n, what);

	if (s && !catalog_find(s)) {
		yaml_error_at(c->d, c->file, n,
			      "unknown check '%.40s' in '%s' (see "
			      "'lxd-harden checks')",
			      s, what);
		return NULL;
	}
	return s;
}

static int
parse_skips(struct pctx *c, const struct policy_key *k,
	    const yaml_node_t *node, const char *section)
{
	static const char *const names[] = { "check", "reason" };
	static const bool required[] = { true, true };
	const yaml_node_item_t *it;

	(void)k;
	(void)section;
	if (node->type != YAML_SEQUENCE_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "'skip' must be a list of {check, reason}, "
			      "not %s",
			      node_kind(node));
		return -1;
	}
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		const yaml_node_t *v[2];
		const char *id, *reason;
		struct policy *p = c->p;

		if (parse_item(c, yaml_document_get_node(&c->doc, *it), "skip",
			       names, required, v, 2))
			return -1;
		id = need_check(c, v[0], "skip.check");
		reason = id ? need_string(c, v[1], "skip.reason") : NULL;
		if (!reason)
			return -1;
		p->skips = xrealloc(p->skips,
				    (p->n_skips + 1) * sizeof(*p->skips));
		p->skips[p->n_skips].check = xstrdup(id);
		p->skips[p->n_skips].reason = xstrdup(reason);
		p->n_skips++;
	}
	return 0;
}

static int
parse_overrides(struct pctx *c, const struct policy_key *k,
		const yaml_node_t *node, const char *section)
{
	const yaml_node_pair_t *p;

	(void)k;
	(void)section;
	if (node->type != YAML_MAPPING_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "'severity' must be a mapping of check id "
			      "to severity, not %s",
			      node_kind(node));
		return -1;
	}
	for (p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		const yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		const yaml_node_t *vn = yaml_document_get_node(&c->doc, p->value);
		const char *id = need_check(c, kn, "severity");
		const char *name;
		enum severity sev;
		struct policy *pol = c->p;

		if (!id)
			return -1;
		for (size_t i = 0; i < pol->n_overrides; i++) {
			if (str_eq(pol->overrides[i].check, id)) {
				yaml_error_at(c->d, c->file, kn,
					      "duplicate key '%s' in "
					      "'severity'",
					      id);
				return -1;
			}
		}
		name = string_value(vn);
		if (!name || severity_parse(name, &sev) != 0) {
			yaml_error_at(c->d, c->file, vn,
				      "'severity.%s' must be one of "
				      "critical, high, medium, low, info",
				      id);
			return -1;
		}
		pol->overrides = xrealloc(pol->overrides,
					  (pol->n_overrides + 1) *
						  sizeof(*pol->overrides));
		pol->overrides[pol->n_overrides].check = xstrdup(id);
		pol->overrides[pol->n_overrides].severity = (int)sev;
		pol->n_overrides++;
	}
	return 0;
}

/* YYYY-MM-DD, a real calendar day; sets the epoch of its last second. */
static int
parse_day(const char *s, long long *end_of_day)
{
	char buf[32];
	long long t;
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	snprintf(buf, sizeof(buf), "%sT23:59:59Z", s);
	if (parse_rfc3339(buf, &t) != 0)
		return -1;
	/* parse_rfc3339 accepts day 31 in any month: check by round trip */
	format_rfc3339(t, buf, sizeof(buf));
	if (strncmp(buf, s, 10) != 0)
		return -1;
	*end_of_day = t;
	return 0;
}

static int
parse_waivers(struct pctx *c, const struct policy_key *k,
	      const yaml_node_t *node, const char *section)
{
	static const char *const names[] = { "check", "object", "reason",
					     "expires" };
	static const bool required[] = { true, false, true, true };
	const yaml_node_item_t *it;

	(void)k;
	(void)section;
	if (node->type != YAML_SEQUENCE_NODE) {
		yaml_error_at(c->d, c->file, node,
			      "'waivers' must be a list of {check, "
			      "object, reason, expires}, not %s",
			      node_kind(node));
		return -1;
	}
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		const yaml_node_t *item = yaml_document_get_node(&c->doc, *it);
		const yaml_node_t *v[4];
		const char *id, *object = NULL, *reason, *expires;
		long long at;
		struct policy *p = c->p;
		struct policy_waiver *w;

		if (parse_item(c, item, "waivers", names, required, v, 4))
			return -1;
		id = need_check(c, v[0], "waivers.check");
		if (!id)
			return -1;
		if (v[1]) {
			object = need_string(c, v[1], "waivers.object");
			if (!object)
				return -1;
		}
		reason = need_string(c, v[2], "waivers.reason");
		if (!reason)
			return -1;
		expires = string_value(v[3]);
		if (!expires || parse_day(expires, &at) != 0) {
			yaml_error_at(c->d, c->file, v[3],
				      "'waivers.expires' must be a date "
				      "YYYY-MM-DD, not %s",
				      expires ? "that" : node_kind(v[3]));
			return -1;
		}
		p->waivers = xrealloc(p->waivers,
				      (p->n_waivers + 1) * sizeof(*p->waivers));
		w = &p->waivers[p->n_waivers++];
		w->check = xstrdup(id);
		w->object = object ? xstrdup(object) : NULL;
		w->reason = xstrdup(reason);
		w->expires = xstrdup(expires);
		w->expires_at = at;
		w->line = (int)item->start_mark.line + 1;
	}
	return 0;
}

/* --- loading -------------------------------------------------------------- */

static void
syntax_error(const yaml_parser_t *y, const char *file, struct diag *d)
{
	const char *problem = y->problem ? y->problem : "malformed YAML";

	if (y->error == YAML_READER_ERROR)
		diag_set(d, "%s: %s at byte %zu", file, problem,
			 y->problem_offset);
	else if (y->context)
		diag_set(d, "%s:%zu:%zu: %s (%s at line %zu column %zu)", file,
			 y->problem_mark.line + 1, y->problem_mark.column + 1,
			 problem, y->context, y->context_mark.line + 1,
			 y->context_mark.column + 1);
	else
		diag_set(d, "%s:%zu:%zu: %s", file, y->problem_mark.line + 1,
			 y->problem_mark.column + 1, problem);
}

/*
 * Walks the events of buf without building anything and stops at the
 * first collection nested deeper than POLICY_MAX_DEPTH or the node after
 * POLICY_MAX_NODES, so that a hostile file costs little before it is
 * refused. Syntax errors are left to load_doc(), which reports them.
 */
static int
check_shape(struct pctx *c, const char *buf, size_t len)
{
	yaml_parser_t y;
	yaml_event_t ev;
	size_t depth = 0, nodes = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&y)) {
		diag_set(c->d, "%s: cannot initialise the YAML parser",
			 c->file);
		return -1;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	for (;;) {
		yaml_event_type_t t;

		if (!yaml_parser_parse(&y, &ev))
			break;
		t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT) {
			depth++;
		} else if (t == YAML_SEQUENCE_END_EVENT ||
			   t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		if (t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT ||
		    t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT)
			nodes++;
		if (depth > POLICY_MAX_DEPTH) {
			diag_set(c->d, "%s:%zu:%zu: nested deeper than %d "
				    "levels (the cap on a policy's nesting)",
				 c->file, ev.start_mark.line + 1,
				 ev.start_mark.column + 1, POLICY_MAX_DEPTH);
			rc = -1;
		} else if (nodes > POLICY_MAX_NODES) {
			diag_set(c->d, "%s:%zu:%zu: more than %d values (the "
				    "cap on a policy's size)", c->file,
				 ev.start_mark.line + 1,
				 ev.start_mark.column + 1, POLICY_MAX_NODES);
			rc = -1;
		}
		yaml_event_delete(&ev);
		if (rc || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&y);
	return rc;
}

/* Loads the one document in buf into c->doc. */
static int
load_doc(struct pctx *c, const char *buf, size_t len)
{
	yaml_parser_t y;
	yaml_document_t extra;
	int rc = -1;

	if (check_shape(c, buf, len) != 0)
		return -1;

	if (!yaml_parser_initialize(&y)) {
		diag_set(c->d, "%s: cannot initialise the YAML parser",
			 c->file);
		return -1;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&y, &c->doc)) {
		syntax_error(&y, c->file, c->d);
		goto out;
	}
	if (!yaml_parser_load(&y, &extra)) {
		syntax_error(&y, c->file, c->d);
		yaml_document_delete(&c->doc);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		diag_set(c->d, "%s:%zu:%zu: more than one YAML document",
			 c->file, extra.start_mark.line + 1,
			 extra.start_mark.column + 1);
		yaml_document_delete(&extra);
		yaml_document_delete(&c->doc);
		goto out;
	}
	yaml_document_delete(&extra);
	rc = 0;
out:
	yaml_parser_delete(&y);
	return rc;
}

int
policy_load(struct policy *p, const char *path, struct diag *d)
{
	struct pctx c = { .file = path, .p = p, .d = d };
	const yaml_node_t *root;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	free(p->path);
	p->path = xstrdup(path);
	if (read_file_trusted(path, POLICY_MAX_SIZE, "policy", &buf, &len, d))
		return -1;
	if (load_doc(&c, buf, len))
		goto out;
	root = yaml_document_get_root_node(&c.doc);
	if (!root) {
		diag_set(d, "%s: empty policy (expected a mapping with "
			    "'version: 1')", path);
	} else if (root->type != YAML_MAPPING_NODE) {
		yaml_error_at(c.d, c.file, root,
			      "a policy must be a mapping, not %s",
			      node_kind(root));
	} else {
		rc = parse_mapping(&c, root, top_keys, NULL);
	}
	yaml_document_delete(&c.doc);
out:
	free(buf);
	return rc;
}
