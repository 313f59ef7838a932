/* test_checks_access.c - ACC checks on fixture snapshots */
#include "checktest.h"

#include "checks/common.h"

/* Fingerprints of the certificates generated for the fixtures. */
#define FP_GOOD_EC256 \
	"4b8a355043565d88"
#define FP_SOON_EXPIRED \
	"520c1c85716f96c902c0296b8f8534239a8a3975e5ff69bdf464a2137fe5c9bf"
#define FP_AUDITOR \
	"c697be12d8074e83170c30de08a28499fd6d719d93bc99f5ec938e9f2506f88c"

static void
test_acc003_trust_ca(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-003", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_HIGH, "core.trust_ca_certificates", "On", "/1.0");
	assert_string_equal(fix_text(f),
			    "lxc config set core.trust_ca_certificates=false");
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-003", ST_PASS);
	ct_release(&t);
	/* absent: the default, false */
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-003", ST_PASS);
	ct_drop_part(&t, SNAP_SERVER, "GET /1.0: 500");
	ct_expect_status(&t, "LXD-ACC-003", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0");
	ct_release(&t);
}

static void
test_acc004_trust_password(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* 5.0.2 returns the key as JSON true */
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-004", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_HIGH, "core.trust_password", "(set)", "/1.0");
	assert_string_equal(fix_text(f),
			    "lxc config unset core.trust_password");
	ct_release(&t);

	ct_load(&t, "secrets");
	ct_expect_status(&t, "LXD-ACC-004", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	assert_string_equal(f->value, "(set)");
	assert_true(ct_nowhere(&t, "hunter2"));
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-004", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);
}

static void
test_acc004_removed(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-004", ST_NOTAPPLICABLE);
	f = ct_finding(&t, ST_NOTAPPLICABLE, "/1.0");
	assert_true(ct_contains(f->message, "6.1"));
	ct_release(&t);

	ct_load(&t, "incus-70");
	ct_expect_status(&t, "LXD-ACC-004", ST_NOTAPPLICABLE);
	ct_release(&t);

	/* 5.21 still has the key */
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-004", ST_FAIL);
	ct_release(&t);
}

static void
test_acc005_certificates(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "certs");
	ct_expect_status(&t, "LXD-ACC-005", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 5);
	assert_int_equal(ct_count(&t, ST_ERROR), 1);
	for (size_t i = 0; i < t.out.n; i++) {
		f = &t.out.v[i];
		assert_true(str_starts_with(f->object, "/1.0/certificates/"));
		if (f->status != ST_FAIL)
			continue;
		if (ct_contains(f->message, "soon")) {
			ct_assert_fail(f, SEV_LOW, NULL, NULL, NULL);
			assert_true(ct_contains(f->message, "2026-12-08"));
			assert_true(ct_contains(f->message, "30d"));
		} else {
			ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
		}
		assert_true(ct_contains(fix_text(f),
					"lxc config trust remove"));
	}
	assert_true(ct_contains(
		ct_finding(&t, ST_ERROR,
			   "/1.0/certificates/00ff00ff00ff00ff00ff00ff00ff00ff"
			   "00ff00ff00ff00ff00ff00ff00ff00ff")->message,
		"garbage"));
	for (size_t i = 0; i < t.out.n; i++) {
		f = &t.out.v[i];
		if (ct_contains(f->message, "Certificate old "))
			assert_true(ct_contains(f->message, "expired on "
							    "2026-06-01"));
		if (ct_contains(f->message, "Certificate future "))
			assert_true(ct_contains(f->message,
						"not valid before"));
		if (ct_contains(f->message, "rsa1024"))
			assert_true(ct_contains(f->message, "RSA key of 1024"));
		if (ct_contains(f->message, "ec224"))
			assert_true(ct_contains(f->message, "EC key of 224"));
		assert_false(ct_contains(f->message, "Certificate good "));
	}
	/* a narrower window leaves out the one expiring in 10 days */
	t.policy.expiring_window = 5 * 86400;
	ct_expect_status(&t, "LXD-ACC-005", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 4);
	ct_release(&t);
}

static void
test_acc005_clean_and_errors(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-005", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	/* the samples' PEMs are trimmed: an error per certificate */
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-005", ST_ERROR);
	assert_int_equal(ct_count(&t, ST_ERROR), 4);
	ct_finding(&t, ST_ERROR, "/1.0/certificates/" FP_AUDITOR);
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-005", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/certificates");
	ct_release(&t);
}

static void
test_acc006_unrestricted(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-006", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL, "/1.0/certificates/" FP_AUDITOR);
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "auditor-admin.crt"));
	assert_true(ct_contains(f->message, "restrict it"));
	assert_true(ct_contains(fix_text(f),
				"lxc config trust edit " FP_AUDITOR));
	ct_finding(&t, ST_FAIL, "/1.0/certificates/" FP_SOON_EXPIRED);

	/* approved by name and by a 12-character fingerprint prefix */
	strlist_push(&t.policy.admin_certs, "auditor-admin.crt");
	strlist_push(&t.policy.admin_certs, "520C1C85716F");
	t.policy.admin_certs.set = true;
	ct_expect_status(&t, "LXD-ACC-006", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	/* an 11-character prefix is not enough */
	ct_load(&t, "sample-502");
	strlist_push(&t.policy.admin_certs, "auditor-admin.crt");
	strlist_push(&t.policy.admin_certs, "520c1c85716");
	t.policy.admin_certs.set = true;
	ct_expect_status(&t, "LXD-ACC-006", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0/certificates/" FP_SOON_EXPIRED);
	assert_true(ct_contains(f->message, "not on the policy"));
	ct_release(&t);
}

static void
test_acc006_clean_and_error(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-006", ST_PASS);
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-006", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	assert_true(str_starts_with(t.out.v[0].object,
				    "/1.0/certificates/" FP_GOOD_EC256));
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-006", ST_ERROR);
	ct_release(&t);
}

static void
test_acc009_join_token_expiry(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "cluster.join_token_expiry", "5H",
		       "/1.0");
	assert_true(ct_contains(f->message, "5h"));
	assert_true(ct_contains(f->message, "15m"));
	assert_string_equal(fix_text(f),
			    "lxc config set cluster.join_token_expiry=15M");
	ct_release(&t);

	/* unset: the 3H default */
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "cluster.join_token_expiry", "3H",
		       "default");
	assert_true(ct_contains(f->message, "the default"));
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-009", ST_PASS);
	/* a stricter policy: 15M is now too long */
	t.policy.token_expiry_max = 600;
	ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
	assert_string_equal(fix_text(&t.out.v[0]),
			    "lxc config set cluster.join_token_expiry=10M");
	ct_set_config(&t, "cluster.join_token_expiry", "1 H");
	ct_expect_status(&t, "LXD-ACC-009", ST_ERROR);
	ct_drop_ext(&t, "cluster_join_token_expiry");
	ct_expect_status(&t, "LXD-ACC-009", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message,
				"cluster_join_token_expiry"));
	assert_true(ct_contains(t.out.v[0].message, "(LXD 5.0.2, 5.7"));
	ct_release(&t);
}

/* An Incus server without an extension is not told which LXD has it. */
static void
test_missing_ext_incus_wording(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "incus-70");
	ct_drop_ext(&t, "cluster_join_token_expiry");
	ct_drop_ext(&t, "remote_token_expiry");
	ct_drop_ext(&t, "oidc");
	ct_expect_status(&t, "LXD-ACC-009", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message,
				"lacks API extension cluster_join_token_"));
	assert_true(ct_nowhere(&t, "LXD"));
	ct_expect_status(&t, "LXD-ACC-010", ST_NOTAPPLICABLE);
	assert_true(ct_nowhere(&t, "LXD"));
	ct_expect_status(&t, "LXD-ACC-013", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "no OIDC support"));
	assert_true(ct_nowhere(&t, "LXD"));
	ct_release(&t);
}

static void
test_acc010_remote_token_expiry(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "core.remote_token_expiry", "1H", "/1.0");
	assert_string_equal(fix_text(f),
			    "lxc config set core.remote_token_expiry=15M");
	/* unset on 5.0.x: tokens never expire */
	ct_set_config(&t, "core.remote_token_expiry", NULL);
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "core.remote_token_expiry", "",
		       "default");
	assert_true(ct_contains(f->message, "never"));
	assert_true(ct_contains(f->message, "5.0.2"));
	ct_drop_ext(&t, "remote_token_expiry");
	ct_expect_status(&t, "LXD-ACC-010", ST_NOTAPPLICABLE);
	ct_release(&t);

	/* unset on 5.21.7 and 6.9: the 15d default */
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "core.remote_token_expiry", "15d",
		       "default");
	assert_true(ct_contains(f->message, "15d"));
	ct_set_version(&t, "lxd", "5.21.4");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "never"));
	ct_set_version(&t, "lxd", "6.6");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "never"));
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	assert_string_equal(t.out.v[0].value, "15d");
	ct_release(&t);

	ct_load(&t, "incus-70");
	ct_expect_status(&t, "LXD-ACC-010", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	assert_true(ct_contains(f->message, "never"));
	assert_true(ct_contains(f->message, "Incus"));
	assert_string_equal(fix_text(f),
			    "incus config set core.remote_token_expiry=15M");
	ct_release(&t);
}

static void
test_acc010_clean(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-010", ST_PASS);
	ct_release(&t);
	/* "5M 300S" is ten minutes */
	ct_load(&t, "clean-521");
	ct_expect_status(&t, "LXD-ACC-010", ST_PASS);
	ct_release(&t);
}

static void
test_acc011_tokens(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-011", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/operations/3c8b18e9-c89c-4352-b69f-82cd53f2eb6a");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "pending-noexpiry"));
	assert_true(ct_contains(f->message, "never expires"));
	assert_string_equal(fix_text(f), "lxc operation delete "
					    "3c8b18e9-c89c-4352-b69f-"
					    "82cd53f2eb6a");
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/operations/5884f0c7-a485-42c3-9123-cf5664c9035f");
	assert_true(ct_contains(f->message, "pending-admin"));
	assert_true(ct_contains(f->message, "valid for 1h"));
	ct_finding(&t, ST_FAIL,
		   "/1.0/operations/4dbebedb-1c4a-4be6-b93d-036d60870731");
	/* a generous policy: only the token without expiry is left */
	t.policy.token_expiry_max = 2 * 3600;
	ct_expect_status(&t, "LXD-ACC-011", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	ct_release(&t);
}

static void
test_acc011_join_and_identities(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-011", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/operations/11111111-0000-4000-8000-000000000001");
	assert_true(ct_contains(f->message, "cluster join token node3"));
	assert_true(ct_contains(f->message, "3h"));
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/operations/11111111-0000-4000-8000-000000000002");
	assert_true(ct_contains(f->message, "stale"));
	assert_true(ct_contains(f->message, "expired at"));
	f = ct_finding(&t, ST_FAIL, "/1.0/auth/identities/tls/"
				    "5b1c1a64-3a8e-4f5a-9f39-6a0a0d0d0d01");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "new-laptop"));
	assert_true(ct_contains(f->message, "15d"));
	assert_string_equal(fix_text(f),
			    "lxc auth identity delete tls/new-laptop");
	ct_release(&t);
}

static void
test_acc011_clean_and_errors(void **state)
{
	struct ct t;

	(void)state;
	/* a fresh short token, a finished one and a non-token operation */
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-ACC-011", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "clean-521");
	ct_expect_status(&t, "LXD-ACC-011", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-011", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/operations");
	ct_finding(&t, ST_ERROR, "/1.0/auth/identities");
	ct_release(&t);
}

static void
test_secrets_never_copied(void **state)
{
	static const char *const ids[] = {
		"LXD-ACC-003", "LXD-ACC-004", "LXD-ACC-005", "LXD-ACC-006",
		"LXD-ACC-009", "LXD-ACC-010", "LXD-ACC-011", "LXD-ACC-012",
		"LXD-ACC-013", "LXD-ACC-014",
	};
	struct ct t;

	(void)state;
	ct_load(&t, "secrets");
	ct_expect_status(&t, "LXD-ACC-011", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		ct_run(&t, ids[i]);
		assert_true(ct_nowhere(&t, "s3cr3t-token-value"));
		assert_true(ct_nowhere(&t, "hunter2"));
	}
	ct_release(&t);

	ct_load(&t, "lxd-521");
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		ct_run(&t, ids[i]);
		assert_true(ct_nowhere(&t, "oidc-client-s3cret"));
	}
	ct_release(&t);
}

static void
test_acc012_oidc_secret(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-012", ST_MANUAL);
	f = ct_finding(&t, ST_MANUAL, "/1.0");
	assert_int_equal(f->severity, SEV_LOW);
	assert_string_equal(f->key, "oidc.client.secret");
	assert_string_equal(f->value, "(set)");
	ct_release(&t);

	ct_load(&t, "clean-521");
	ct_expect_status(&t, "LXD-ACC-012", ST_PASS);
	ct_release(&t);

	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-012", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "oidc_client_secret"));
	ct_release(&t);
}

static void
test_acc013_oidc_provider(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-013", ST_MANUAL);
	f = ct_finding(&t, ST_MANUAL, "/1.0");
	assert_string_equal(f->key, "oidc.issuer");
	assert_string_equal(f->value, "https://idp.example.com/realms/lxd");
	assert_true(ct_contains(f->message, "MFA"));
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-013", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "not configured"));
	ct_release(&t);

	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-013", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "extension oidc"));
	ct_release(&t);
}

static void
test_acc014_identities(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-ACC-014", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	f = ct_finding(&t, ST_FAIL, "/1.0/auth/identities/bearer/"
				    "9c7a0e2e-0000-4000-8000-00000000aaaa");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "ui-admin-initial"));
	/* no admin list in the policy: the holders are for a person */
	assert_int_equal(ct_count(&t, ST_MANUAL), 4);
	f = ct_finding(&t, ST_MANUAL,
		       "/1.0/auth/identities/oidc/alice@example.com");
	assert_true(ct_contains(f->message, "group admins"));
	f = ct_finding(&t, ST_MANUAL,
		       "/1.0/auth/identities/oidc/bob@example.com");
	assert_true(ct_contains(f->message, "group ops"));
	ct_finding(&t, ST_MANUAL,
		   "/1.0/auth/identities/tls/ghost-fingerprint-0001");
	ct_finding(&t, ST_MANUAL,
		   "/1.0/auth/identity-provider-groups/lxd-admins");

	strlist_push(&t.policy.admin_identities, "oidc/alice@example.com");
	strlist_push(&t.policy.admin_identities, "Bob");
	t.policy.admin_identities.set = true;
	ct_expect_status(&t, "LXD-ACC-014", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/auth/identities/tls/ghost-fingerprint-0001");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "not on the policy"));
	assert_string_equal(fix_text(f), "lxc auth identity group remove "
					    "tls/ghost-fingerprint-0001 "
					    "admins");
	ct_release(&t);
}

static void
test_acc014_clean_na_error(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "clean-521");
	ct_expect_status(&t, "LXD-ACC-014", ST_MANUAL);
	ct_finding(&t, ST_MANUAL,
		   "/1.0/auth/identities/oidc/alice@example.com");
	strlist_push(&t.policy.admin_identities, "Alice");
	t.policy.admin_identities.set = true;
	ct_expect_status(&t, "LXD-ACC-014", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-ACC-014", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "access_management"));
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-ACC-014", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/auth/identities");
	ct_finding(&t, ST_ERROR, "/1.0/auth/groups");
	ct_release(&t);
}

/*
 * Release fixtures for authorization (tests/data/snap/auth-*): the
 * complete api_extensions of LXD 5.21.7, LXD 6.9, Incus 6.0.4 and Incus
 * 7.3.0, each with a weak and a clean variant.
 */
#define FP_OLD "be0fb7c12bae97f1"
#define FP_WEAK "1935aa370bd99c16"

static void
ct_add_ext(struct ct *t, const char *ext)
{
	json_array_append_new(json_object_get(t->snap.part[SNAP_SERVER],
					      "api_extensions"),
			      json_string(ext));
}

/* The single finding whose object starts with prefix and status is st. */
static const struct finding *
ct_finding_prefix(const struct ct *t, enum status st, const char *prefix)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++) {
		if (t->out.v[i].status == st &&
		    str_starts_with(t->out.v[i].object, prefix)) {
			hit = &t->out.v[i];
			n++;
		}
	}
	if (n != 1) {
		ct_dump(t);
		fail_msg("%zu %s findings about %s*, want 1", n,
			 status_name(st), prefix);
	}
	return hit;
}

/* The single finding about object with key. */
static const struct finding *
ct_finding_key(const struct ct *t, const char *object, const char *key)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++) {
		if (str_eq(t->out.v[i].object, object) &&
		    str_eq(t->out.v[i].key, key)) {
			hit = &t->out.v[i];
			n++;
		}
	}
	if (n != 1) {
		ct_dump(t);
		fail_msg("%zu findings about %s with key %s, want 1", n,
			 object, key);
	}
	return hit;
}

static const char *const lxd_auth_fixtures[] = { "auth-lxd-521",
						 "auth-lxd-69" };

static void
test_acc014_escalating_entitlements(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(lxd_auth_fixtures); r++) {
		ct_load(&t, lxd_auth_fixtures[r]);
		ct_expect_status(&t, "LXD-ACC-014", ST_MANUAL);
		/* alice admin, carol permission_manager, dave three, erin
		   can_edit on her own identity, old-ci can_edit_groups, and
		   the identity provider group mapped to iam */
		assert_int_equal(ct_count(&t, ST_MANUAL), 8);
		f = ct_finding(&t, ST_MANUAL,
			       "/1.0/auth/identities/oidc/carol@example.com");
		assert_string_equal(f->key, "permission_manager");
		assert_string_equal(f->value, "/1.0");
		assert_string_equal(f->source, "/1.0/auth/groups/iam");
		assert_true(ct_contains(f->message, "grant itself admin"));
		f = ct_finding_key(&t,
				   "/1.0/auth/identities/oidc/dave@example.com",
				   "can_edit");
		assert_true(ct_contains(f->message, "oidc.issuer"));
		ct_finding_key(&t, "/1.0/auth/identities/oidc/dave@example.com",
			       "project_manager");
		f = ct_finding_key(&t,
				   "/1.0/auth/identities/oidc/dave@example.com",
				   "storage_pool_manager");
		assert_true(ct_contains(f->message, "block device"));
		f = ct_finding(&t, ST_MANUAL,
			       "/1.0/auth/identities/oidc/erin@example.com");
		assert_string_equal(f->key, "can_edit");
		assert_string_equal(f->value, "/1.0/auth/identities/oidc/"
					      "erin@example.com");
		assert_true(ct_contains(f->message, "any group"));
		f = ct_finding_prefix(&t, ST_MANUAL,
				      "/1.0/auth/identities/tls/" FP_OLD);
		assert_string_equal(f->key, "can_edit_groups");
		f = ct_finding(&t, ST_MANUAL,
			       "/1.0/auth/identity-provider-groups/helpdesk");
		assert_true(ct_contains(f->message, "group iam"));
		assert_string_equal(fix_text(f),
				    "lxc auth identity-provider-group group "
				    "remove helpdesk iam");
		/* operator and viewer reach nothing beyond their project */
		assert_true(ct_nowhere(&t, "frank@"));
		assert_true(ct_nowhere(&t, "developers"));

		strlist_push(&t.policy.admin_identities, "Alice");
		t.policy.admin_identities.set = true;
		ct_expect_status(&t, "LXD-ACC-014", ST_FAIL);
		assert_int_equal(ct_count(&t, ST_FAIL), 6);
		assert_int_equal(ct_count(&t, ST_MANUAL), 1);
		f = ct_finding(&t, ST_FAIL,
			       "/1.0/auth/identities/oidc/carol@example.com");
		ct_assert_fail(f, SEV_MEDIUM, "permission_manager", "/1.0",
			       "/1.0/auth/groups/iam");
		assert_string_equal(fix_text(f),
				    "lxc auth identity group remove "
				    "oidc/carol@example.com iam");
		assert_true(ct_nowhere(&t, "alice@"));
		ct_release(&t);
	}
}

static void
test_acc014_escalating_clean(void **state)
{
	static const char *const clean[] = { "auth-lxd-521-clean",
					     "auth-lxd-69-clean" };
	struct ct t;

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(clean); r++) {
		ct_load(&t, clean[r]);
		/* only the admin, for a person to confirm */
		ct_expect_status(&t, "LXD-ACC-014", ST_MANUAL);
		assert_int_equal(t.out.n, 1);
		ct_finding(&t, ST_MANUAL,
			   "/1.0/auth/identities/oidc/alice@example.com");
		strlist_push(&t.policy.admin_identities,
			     "oidc/alice@example.com");
		t.policy.admin_identities.set = true;
		ct_expect_status(&t, "LXD-ACC-014", ST_PASS);
		assert_int_equal(t.out.n, 0);
		ct_release(&t);
	}
	/* Incus has no groups: the check points at ACC-015 */
	ct_load(&t, "auth-incus-73");
	ct_expect_status(&t, "LXD-ACC-014", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "LXD-ACC-015"));
	assert_true(ct_nowhere(&t, "access_management"));
	ct_release(&t);
}

static void
test_acc005_tls_identities(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(lxd_auth_fixtures); r++) {
		ct_load(&t, lxd_auth_fixtures[r]);
		ct_expect_status(&t, "LXD-ACC-005", ST_FAIL);
		/* good-ci is in the trust store too: judged once, and fine;
		   the pending identity has no certificate yet */
		assert_int_equal(t.out.n, 2);
		f = ct_finding_prefix(&t, ST_FAIL,
				      "/1.0/auth/identities/tls/" FP_OLD);
		ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
		assert_true(ct_contains(f->message, "TLS identity old-ci "
						    "expired on 2026-06-01"));
		assert_string_equal(fix_text(f),
				    "lxc auth identity delete tls/old-ci");
		f = ct_finding_prefix(&t, ST_FAIL,
				      "/1.0/auth/identities/tls/" FP_WEAK);
		assert_true(ct_contains(f->message, "RSA key of 1024"));
		assert_true(ct_contains(fix_text(f),
					"lxc auth identity delete "
					"tls/weak-ci"));
		/* the identities cannot be read: error, never pass */
		ct_drop_part(&t, SNAP_IDENTITIES, "GET: 500");
		ct_expect_status(&t, "LXD-ACC-005", ST_ERROR);
		ct_finding(&t, ST_ERROR, "/1.0/auth/identities");
		/* before access_management_tls there are no such identities */
		ct_drop_ext(&t, "access_management_tls");
		ct_expect_status(&t, "LXD-ACC-005", ST_PASS);
		ct_release(&t);

		ct_load(&t, "auth-lxd-521-clean");
		ct_expect_status(&t, "LXD-ACC-005", ST_PASS);
		assert_int_equal(t.out.n, 0);
		ct_release(&t);
	}
}

static void
test_acc009_needs_clustering(void **state)
{
	static const char *const weak[] = { "auth-lxd-521", "auth-lxd-69",
					    "auth-incus-604", "auth-incus-73" };
	const struct finding *f;
	struct ct t;

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(weak); r++) {
		/* a listener: join tokens can be issued; 3H is too long */
		ct_load(&t, weak[r]);
		ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
		f = ct_finding(&t, ST_FAIL, "/1.0");
		ct_assert_fail(f, SEV_MEDIUM, "cluster.join_token_expiry",
			       "3H", "default");
		ct_set_config(&t, "cluster.join_token_expiry", "10M");
		ct_expect_status(&t, "LXD-ACC-009", ST_PASS);
		ct_set_config(&t, "cluster.join_token_expiry", NULL);
		/* no listener, not clustered: nothing can join */
		ct_set_config(&t, "core.https_address", NULL);
		ct_expect_status(&t, "LXD-ACC-009", ST_NOTAPPLICABLE);
		assert_true(ct_contains(t.out.v[0].message,
					"core.https_address is not set"));
		/* an address to cluster on is enough */
		ct_set_config(&t, "cluster.https_address", "10.0.0.9:8443");
		ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
		ct_set_config(&t, "cluster.https_address", NULL);
		/* a cluster always can */
		t.snap.clustered = true;
		ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
		ct_release(&t);
	}
	ct_load(&t, "auth-lxd-69-clean");
	ct_expect_status(&t, "LXD-ACC-009", ST_NOTAPPLICABLE);
	ct_release(&t);
}

static void
test_acc013_oidc_session(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* 6.9: unset means the 1w default, more than the 1d maximum */
	ct_load(&t, "auth-lxd-69");
	ct_expect_status(&t, "LXD-ACC-013", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_LOW, "oidc.session.expiry", "1w", "default");
	assert_string_equal(fix_text(f),
			    "lxc config set oidc.session.expiry=1d");
	ct_finding(&t, ST_MANUAL, "/1.0");
	ct_set_config(&t, "oidc.session.expiry", "1 H");
	ct_expect_status(&t, "LXD-ACC-013", ST_ERROR);
	ct_release(&t);

	ct_load(&t, "auth-lxd-69-clean");
	ct_expect_status(&t, "LXD-ACC-013", ST_MANUAL);
	assert_int_equal(t.out.n, 1);
	t.policy.oidc_session_max = 6 * 3600;
	ct_expect_status(&t, "LXD-ACC-013", ST_FAIL);
	ct_assert_fail(ct_finding(&t, ST_FAIL, "/1.0"), SEV_LOW,
		       "oidc.session.expiry", "12H", "/1.0");
	ct_release(&t);

	/* 5.21 has no sessions (auth_oidc_sessions is 6.6): MFA only */
	ct_load(&t, "auth-lxd-521");
	ct_expect_status(&t, "LXD-ACC-013", ST_MANUAL);
	assert_int_equal(t.out.n, 1);
	ct_release(&t);
	ct_load(&t, "auth-incus-73");
	ct_expect_status(&t, "LXD-ACC-013", ST_MANUAL);
	assert_true(ct_nowhere(&t, "LXD"));
	assert_true(ct_nowhere(&t, "lxc"));
	/* Incus has no client secret at all: no LXD version named */
	ct_expect_status(&t, "LXD-ACC-012", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "Incus 7.3.0"));
	assert_true(ct_nowhere(&t, "LXD"));
	ct_release(&t);
}

static void
test_acc015_incus_routes(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* Incus 7.3: routes per client class */
	ct_load(&t, "auth-incus-73");
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding_key(&t, "/1.0", "authorization.client.tls-restricted");
	ct_assert_fail(f, SEV_HIGH, NULL, "allow", "/1.0");
	assert_true(ct_contains(f->message, "full admin"));
	assert_string_equal(fix_text(f),
			    "incus config set "
			    "authorization.client.tls-restricted=tls");
	/* oidc unset: the built-in route is allow */
	f = ct_finding_key(&t, "/1.0", "authorization.client.oidc");
	ct_assert_fail(f, SEV_HIGH, NULL, "", "default");
	assert_true(ct_contains(f->message, "built-in route"));
	assert_true(ct_nowhere(&t, "lxc"));
	assert_true(ct_nowhere(&t, "LXD 6"));
	/* without OIDC configured, no OIDC client can sign in */
	ct_set_config(&t, "oidc.issuer", NULL);
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	assert_int_equal(t.out.n, 1);
	ct_release(&t);

	ct_load(&t, "auth-incus-73-clean");
	ct_expect_status(&t, "LXD-ACC-015", ST_PASS);
	assert_int_equal(t.out.n, 0);
	/* a default route of allow reaches every class left unset */
	ct_set_config(&t, "authorization.client.oidc", NULL);
	ct_set_config(&t, "authorization.client.default", "allow");
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	for (size_t i = 0; i < t.out.n; i++)
		assert_string_equal(t.out.v[i].key,
				    "authorization.client.default");
	/* OpenFGA: its relations are for a person */
	ct_set_config(&t, "authorization.client.default", NULL);
	ct_set_config(&t, "authorization.client.oidc", "openfga");
	ct_expect_status(&t, "LXD-ACC-015", ST_MANUAL);
	f = ct_finding(&t, ST_MANUAL, "/1.0");
	assert_true(ct_contains(f->message, "server can_create_projects"));
	assert_true(ct_contains(f->message, "project admin"));
	ct_set_config(&t, "authorization.client.oidc", "scriptlet");
	ct_expect_status(&t, "LXD-ACC-015", ST_MANUAL);
	ct_release(&t);
}

static void
test_acc015_incus_before_routes(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* Incus 6.0.4: OIDC without OpenFGA or a scriptlet is admin */
	ct_load(&t, "auth-incus-604");
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_HIGH, "oidc.issuer",
		       "https://idp.example.com/realms/incus", "/1.0");
	assert_true(ct_contains(f->message, "Incus 6.0.4"));
	assert_true(ct_nowhere(&t, "lxc"));
	ct_set_config(&t, "authorization.scriptlet",
		      "def authorize(details, object, entitlement):\n"
		      "  return False\n");
	ct_expect_status(&t, "LXD-ACC-015", ST_MANUAL);
	ct_set_config(&t, "authorization.scriptlet", NULL);
	ct_set_config(&t, "oidc.issuer", NULL);
	ct_expect_status(&t, "LXD-ACC-015", ST_PASS);
	ct_release(&t);

	ct_load(&t, "auth-incus-604-clean");
	ct_expect_status(&t, "LXD-ACC-015", ST_MANUAL);
	f = ct_finding(&t, ST_MANUAL, "/1.0");
	assert_string_equal(f->key, "openfga.api.url");
	/* all three OpenFGA keys or none */
	ct_set_config(&t, "openfga.store.id", NULL);
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	ct_release(&t);

	/* Incus 7.0 to 7.2: no routes yet; its key would be refused */
	ct_load(&t, "auth-incus-73");
	ct_drop_ext(&t, "authorization_client_routing");
	ct_set_version(&t, "incus", "7.0.1");
	ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	assert_string_equal(f->key, "oidc.issuer");
	assert_true(ct_contains(f->message, "Incus 7.0.1"));
	ct_release(&t);

	/* LXD: not this check's business */
	ct_load(&t, "auth-lxd-69");
	ct_expect_status(&t, "LXD-ACC-015", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "LXD-ACC-014"));
	ct_drop_part(&t, SNAP_SERVER, "GET /1.0: 500");
	ct_expect_status(&t, "LXD-ACC-015", ST_ERROR);
	ct_release(&t);
}

/* Sets expires_at on the identity with id (NULL removes it). */
static void
ct_set_expiry(struct ct *t, const char *id, const char *when)
{
	const json_t *e;
	size_t i;

	json_array_foreach (t->snap.part[SNAP_IDENTITIES], i, e) {
		if (!str_eq(checks_jstr(e, "id"), id))
			continue;
		if (when)
			json_object_set_new((json_t *)(uintptr_t)e,
					    "expires_at", json_string(when));
		else
			json_object_del((json_t *)(uintptr_t)e, "expires_at");
		return;
	}
	fail_msg("no identity %s", id);
}

#define BEARER_CI "3f0e8a4c-1111-4a4a-8a8a-000000000001"
#define BEARER_VM "3f0e8a4c-1111-4a4a-8a8a-000000000002"

/*
 * A bearer identity's expires_at as it reaches the snapshot from a server
 * (watch's snapshot_put_item: shape checked, members the shape does not
 * name dropped): a time is judged, a number is an error, never a pass.
 */
static void
test_acc016_expiry_through_snapshot(void **state)
{
	const json_t *e;
	json_t *item = NULL;
	struct ct t;
	size_t i;

	(void)state;
	ct_load(&t, "auth-lxd-69");
	ct_add_ext(&t, "access_management_expiry");
	json_array_foreach (t.snap.part[SNAP_IDENTITIES], i, e)
		if (str_eq(checks_jstr(e, "id"), BEARER_CI))
			item = json_deep_copy(e);
	assert_non_null(item);
	json_object_set_new(item, "expires_at",
			    json_string("2036-11-28T00:00:00Z"));
	assert_int_equal(snapshot_put_item(&t.snap, SNAP_IDENTITIES, NULL,
					   "ci-bot", item, "event"),
			 0);
	ct_expect_status(&t, "LXD-ACC-016", ST_FAIL);
	ct_finding(&t, ST_FAIL, "/1.0/auth/identities/bearer/" BEARER_CI);
	json_object_set_new(item, "expires_at", json_integer(2036));
	assert_int_equal(snapshot_put_item(&t.snap, SNAP_IDENTITIES, NULL,
					   "ci-bot", item, "event"),
			 0);
	ct_expect_status(&t, "LXD-ACC-016", ST_ERROR);
	json_decref(item);
	ct_release(&t);
}

static void
test_acc016_bearer(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* 6.9 does not show token expiry: manual, naming the default */
	ct_load(&t, "auth-lxd-69");
	ct_expect_status(&t, "LXD-ACC-016", ST_MANUAL);
	assert_int_equal(ct_count(&t, ST_MANUAL), 2);
	f = ct_finding(&t, ST_MANUAL, "/1.0/auth/identities/bearer/"
				      BEARER_CI);
	assert_true(ct_contains(f->message, "10 years"));
	assert_true(ct_contains(f->message, "access_management_expiry"));
	assert_int_equal(f->remedy.n_commands, 1);
	assert_string_equal(f->remedy.commands[0],
			    "lxc auth identity token issue bearer/ci-bot "
			    "--expiry 90d");
	/* with access_management_expiry (after 6.9) it is judged */
	ct_add_ext(&t, "access_management_expiry");
	ct_set_expiry(&t, BEARER_CI, "2036-11-28T00:00:00Z");
	ct_set_expiry(&t, BEARER_VM, "2026-12-20T00:00:00Z");
	ct_expect_status(&t, "LXD-ACC-016", ST_FAIL);
	assert_int_equal(t.out.n, 1);
	f = ct_finding(&t, ST_FAIL, "/1.0/auth/identities/bearer/"
				    BEARER_CI);
	ct_assert_fail(f, SEV_MEDIUM, "expires_at", "2036-11-28T00:00:00Z",
		       NULL);
	assert_true(ct_contains(f->message, "90d"));
	ct_set_expiry(&t, BEARER_CI, NULL);
	ct_expect_status(&t, "LXD-ACC-016", ST_MANUAL);
	ct_set_expiry(&t, BEARER_CI, "soon");
	ct_expect_status(&t, "LXD-ACC-016", ST_ERROR);
	ct_drop_part(&t, SNAP_IDENTITIES, "GET: 500");
	ct_expect_status(&t, "LXD-ACC-016", ST_ERROR);
	ct_release(&t);

	ct_load(&t, "auth-lxd-69-clean");
	ct_add_ext(&t, "access_management_expiry");
	ct_set_expiry(&t, BEARER_CI, "2027-01-15T00:00:00Z");
	ct_expect_status(&t, "LXD-ACC-016", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "auth-lxd-521");
	ct_expect_status(&t, "LXD-ACC-016", ST_NOTAPPLICABLE);
	assert_true(ct_contains(t.out.v[0].message, "auth_bearer_devlxd"));
	ct_release(&t);
	ct_load(&t, "auth-incus-73");
	ct_expect_status(&t, "LXD-ACC-016", ST_NOTAPPLICABLE);
	assert_true(ct_nowhere(&t, "LXD"));
	ct_release(&t);
}

/* The entitlement table, one permission at a time. */
static void
test_escalation_table(void **state)
{
	static const struct {
		const char *json;
		bool escalates, server_wide;
	} cases[] = {
		{ "{\"entity_type\":\"server\",\"entitlement\":\"admin\"}", true,
		  true },
		{ "{\"entity_type\":\"server\",\"entitlement\":"
		  "\"permission_manager\"}", true, true },
		{ "{\"entity_type\":\"server\",\"entitlement\":"
		  "\"can_edit_identity_provider_groups\"}", true, true },
		{ "{\"entity_type\":\"group\",\"url\":\"/1.0/auth/groups/g\","
		  "\"entitlement\":\"can_edit\"}", true, true },
		/* root through that project only: not a server-wide role */
		{ "{\"entity_type\":\"project\",\"url\":\"/1.0/projects/p\","
		  "\"entitlement\":\"can_edit\"}", true, false },
		{ "{\"entity_type\":\"storage_pool\",\"url\":"
		  "\"/1.0/storage-pools/p\",\"entitlement\":\"can_edit\"}", true,
		  false },
		/* creating a project grants nothing in it */
		{ "{\"entity_type\":\"server\",\"entitlement\":"
		  "\"can_create_projects\"}", false, false },
		{ "{\"entity_type\":\"server\",\"entitlement\":\"viewer\"}",
		  false, false },
		{ "{\"entity_type\":\"project\",\"url\":\"/1.0/projects/p\","
		  "\"entitlement\":\"operator\"}", false, false },
		{ "{\"entity_type\":\"server\",\"entitlement\":"
		  "\"can_view_identities\"}", false, false },
		{ "{\"entitlement\":\"admin\"}", false, false },
		{ "[]", false, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_error_t err;
		json_t *perm = json_loads(cases[i].json, 0, &err);
		json_t *g = json_pack("{s:s, s:[O]}", "name", "g",
				      "permissions", perm);

		assert_non_null(perm);
		assert_non_null(g);
		if ((checks_escalation(perm) != NULL) != cases[i].escalates)
			fail_msg("escalation of %s", cases[i].json);
		if (checks_grants_server_admin(g) != cases[i].server_wide)
			fail_msg("server-wide of %s", cases[i].json);
		json_decref(perm);
		json_decref(g);
	}
}

static void
test_acc014_project_can_edit(void **state)
{
	const struct finding *f;
	json_t *groups, *g;
	struct ct t;

	(void)state;
	ct_load(&t, "auth-lxd-69-clean");
	groups = t.snap.part[SNAP_AUTH_GROUPS];
	for (size_t i = 0; i < json_array_size(groups); i++) {
		g = json_array_get(groups, i);
		if (str_eq(checks_jstr(g, "name"), "devs"))
			json_array_append_new(
				json_object_get(g, "permissions"),
				json_pack("{s:s, s:s, s:s}", "entity_type",
					  "project", "url", "/1.0/projects/dev",
					  "entitlement", "can_edit"));
	}
	strlist_push(&t.policy.admin_identities, "Alice");
	t.policy.admin_identities.set = true;
	ct_expect_status(&t, "LXD-ACC-014", ST_FAIL);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/auth/identities/oidc/frank@example.com");
	ct_assert_fail(f, SEV_MEDIUM, "can_edit", "/1.0/projects/dev",
		       "/1.0/auth/groups/devs");
	assert_true(ct_contains(f->message, "restrictions"));
	/* the identity provider group mapped to devs now matters too */
	ct_finding(&t, ST_MANUAL,
		   "/1.0/auth/identity-provider-groups/developers");
	ct_release(&t);
}

/*
 * The shared release fixtures (tests/data/release): each is clean for the
 * authorization checks as saved; planting each weakness makes the check
 * fail or ask a person, on every release where the semantics exist.
 */
static void
test_auth_on_release_fixtures(void **state)
{
	static const char *const rel[] = { "lxd-5.21.7", "lxd-6.9",
					   "incus-6.0.6", "incus-7.3" };
	struct ct t;

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rel); r++) {
		bool incus = str_starts_with(rel[r], "incus");

		ct_load_from(&t, "release", rel[r]);
		/* ACC-009: a listener, the 3H default; none: notapplicable */
		ct_expect_status(&t, "LXD-ACC-009", ST_FAIL);
		ct_set_config(&t, "cluster.join_token_expiry", "15M");
		ct_expect_status(&t, "LXD-ACC-009", ST_PASS);
		ct_set_config(&t, "core.https_address", NULL);
		ct_expect_status(&t, "LXD-ACC-009", ST_NOTAPPLICABLE);
		if (incus) {
			ct_expect_status(&t, "LXD-ACC-015", ST_PASS);
			ct_set_config(&t, "oidc.issuer",
				      "https://idp.example.com/");
			ct_expect_status(&t, "LXD-ACC-015", ST_FAIL);
			assert_true(ct_nowhere(&t, "lxc"));
			assert_true(ct_nowhere(&t, "LXD 5"));
			assert_true(ct_nowhere(&t, "LXD 6"));
			ct_set_config(&t, "oidc.issuer", NULL);
			ct_set_config(&t, "authorization.client.tls-restricted",
				      "allow");
			/* only 7.3 reads the key (6.0 would refuse it) */
			ct_expect_status(&t, "LXD-ACC-015",
					 str_eq(rel[r], "incus-7.3") ? ST_FAIL :
								       ST_PASS);
			ct_expect_status(&t, "LXD-ACC-014",
					 ST_NOTAPPLICABLE);
		} else {
			json_t *g = json_array_get(
				t.snap.part[SNAP_AUTH_GROUPS], 0);

			ct_expect_status(&t, "LXD-ACC-014", ST_PASS);
			/* a viewer group that may edit groups and has a
			   member */
			json_array_append_new(
				json_object_get(g, "permissions"),
				json_pack("{s:s, s:s, s:s}", "entity_type",
					  "server", "url", "/1.0",
					  "entitlement", "can_edit_groups"));
			json_object_set_new(
				g, "identities",
				json_pack("{s:[s]}", "oidc",
					  "mallory@example.com"));
			ct_expect_status(&t, "LXD-ACC-014", ST_MANUAL);
			assert_string_equal(
				ct_finding(&t, ST_MANUAL,
					   "/1.0/auth/identities/oidc/"
					   "mallory@example.com")->key,
				"can_edit_groups");
			ct_expect_status(&t, "LXD-ACC-015",
					 ST_NOTAPPLICABLE);
		}
		ct_release(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acc003_trust_ca),
		cmocka_unit_test(test_acc004_trust_password),
		cmocka_unit_test(test_acc004_removed),
		cmocka_unit_test(test_acc005_certificates),
		cmocka_unit_test(test_acc005_clean_and_errors),
		cmocka_unit_test(test_acc006_unrestricted),
		cmocka_unit_test(test_acc006_clean_and_error),
		cmocka_unit_test(test_acc009_join_token_expiry),
		cmocka_unit_test(test_acc010_remote_token_expiry),
		cmocka_unit_test(test_acc010_clean),
		cmocka_unit_test(test_acc011_tokens),
		cmocka_unit_test(test_acc011_join_and_identities),
		cmocka_unit_test(test_acc011_clean_and_errors),
		cmocka_unit_test(test_secrets_never_copied),
		cmocka_unit_test(test_acc012_oidc_secret),
		cmocka_unit_test(test_acc013_oidc_provider),
		cmocka_unit_test(test_missing_ext_incus_wording),
		cmocka_unit_test(test_acc014_identities),
		cmocka_unit_test(test_acc014_clean_na_error),
		cmocka_unit_test(test_acc014_escalating_entitlements),
		cmocka_unit_test(test_acc014_escalating_clean),
		cmocka_unit_test(test_acc005_tls_identities),
		cmocka_unit_test(test_acc009_needs_clustering),
		cmocka_unit_test(test_acc013_oidc_session),
		cmocka_unit_test(test_acc015_incus_routes),
		cmocka_unit_test(test_acc015_incus_before_routes),
		cmocka_unit_test(test_acc016_bearer),
		cmocka_unit_test(test_acc016_expiry_through_snapshot),
		cmocka_unit_test(test_escalation_table),
		cmocka_unit_test(test_acc014_project_can_edit),
		cmocka_unit_test(test_auth_on_release_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
