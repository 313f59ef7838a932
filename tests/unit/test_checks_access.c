/* test_checks_access.c - ACC checks on fixture snapshots */
#include "checktest.h"

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
	assert_string_equal(f->remediation,
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
	assert_string_equal(f->remediation,
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
		assert_true(ct_contains(f->remediation,
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
	assert_true(ct_contains(f->remediation,
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
	assert_string_equal(f->remediation,
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
	assert_string_equal(t.out.v[0].remediation,
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
	assert_string_equal(f->remediation,
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
	assert_string_equal(f->remediation,
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
	assert_string_equal(f->remediation, "lxc operation delete "
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
	assert_string_equal(f->remediation,
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
	ct_finding(&t, ST_MANUAL, "/1.0/auth/groups/admins");

	strlist_push(&t.policy.admin_identities, "oidc/alice@example.com");
	strlist_push(&t.policy.admin_identities, "Bob");
	t.policy.admin_identities.set = true;
	ct_expect_status(&t, "LXD-ACC-014", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/auth/identities/tls/ghost-fingerprint-0001");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "not on the policy"));
	assert_string_equal(f->remediation, "lxc auth identity group remove "
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
