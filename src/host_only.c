/* host_only.c - audit --host-only: the host checks, and whose host */
#include "host_only.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "check.h"
#include "checks/host_checks.h"

bool
host_only_is_host_check(const struct check *c)
{
	struct snapshot empty;
	struct policy pol;
	struct check_ctx x = { 0 };
	struct findings fs = { 0 };
	bool host = false;

	snapshot_init(&empty);
	policy_init(&pol);
	empty.remote = true;
	x.snap = &empty;
	x.policy = &pol;
	c->eval(c, &x, &fs);
	for (size_t i = 0; i < fs.n; i++)
		host = host || (fs.v[i].status == ST_NOTAPPLICABLE &&
				str_starts_with(fs.v[i].message,
						HOST_CHECKS_NEED));
	findings_release(&fs);
	snapshot_release(&empty);
	policy_release(&pol);
	return host;
}

int
host_only_select(struct gate_select *s, struct diag *d)
{
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		for (const struct check *c = sec->checks; c->id; c++)
			if (host_only_is_host_check(c) &&
			    gate_select_add(s, "check", c->id, d) != 0)
				return -1;
	return 0;
}

/* A 64-digit lowercase hex SHA-256 of the first certificate in pem. */
static char *
pem_fingerprint(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex = NULL;

	if (x && X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32) {
		hex = xmalloc(2 * n + 1);
		for (unsigned int i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	X509_free(x);
	BIO_free(b);
	return hex;
}

static bool
is_hex64(const char *s)
{
	return s && strlen(s) == 64 &&
	       strspn(s, "0123456789abcdef") == 64;
}

static char *
read_hostname(const char *root)
{
	char buf[256];

	if (root && !str_eq(root, "/")) {
		char *path = xasprintf("%s/etc/hostname", root), *text = NULL;
		size_t len = 0;
		struct diag d;

		if (read_file_max(path, 4096, "host name", &text, &len,
				  &d) == 0) {
			text[strcspn(text, "\r\n")] = '\0';
			free(path);
			if (*text)
				return text;
			free(text);
			return NULL;
		}
		free(path);
		return NULL;
	}
	if (gethostname(buf, sizeof(buf)) != 0)
		return NULL;
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

void
host_identity_read(struct host_identity *id, const struct snapshot *snap,
		   const char *host_root)
{
	const json_t *root = snap ? snapshot_part(snap, SNAP_SERVER, NULL) :
				    NULL;
	const json_t *env = json_object_get(root, "environment");
	const char *fp = json_string_value(
		json_object_get(env, "certificate_fingerprint"));

	memset(id, 0, sizeof(*id));
	id->host = read_hostname(host_root);
	if (!snap || !snap->clustered)
		return;
	if (snap->server_name)
		id->member = xstrdup(snap->server_name);
	if (is_hex64(fp))
		id->fingerprint = xstrdup(fp);
	else if (json_string_value(json_object_get(env, "certificate")))
		id->fingerprint = pem_fingerprint(json_string_value(
			json_object_get(env, "certificate")));
}

void
host_identity_release(struct host_identity *id)
{
	free(id->host);
	free(id->member);
	free(id->fingerprint);
	memset(id, 0, sizeof(*id));
}
