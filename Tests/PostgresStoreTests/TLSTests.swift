// TLS from pantau to PostgreSQL, with libpq's sslmode names: the test cluster (Scripts/postgres.sh) serves TLS with a
// self-signed certificate for 127.0.0.1.
import Foundation
import TestSupport
import Testing

@testable import PostgresStore

/// Whether the store's own connection is encrypted, as the server sees it.
func encrypted(_ store: PostgresStore) throws -> Bool {
    try store.database.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?["ssl"]?.integer == 1
}

@Suite
struct PostgresTLSTests {
    @Test("sslmode: disable is plain; prefer (the default) and require encrypt; verify-full checks the certificate against sslrootcert")
    func modes() throws {
        let url = try TestPostgres.database()
        #expect(try !encrypted(PostgresStore(url: url + "?sslmode=disable")))
        #expect(try encrypted(PostgresStore(url: url)))
        #expect(try encrypted(PostgresStore(url: url + "?sslmode=require")))
        let certificate = try TestPostgres.certificate()
        #expect(try encrypted(PostgresStore(url: url + "?sslmode=verify-full&sslrootcert=\(certificate)")))
        #expect(try encrypted(PostgresStore(url: url + "?sslmode=verify-ca&sslrootcert=\(certificate)")))
    }

    @Test("a certificate nobody vouches for, an unknown sslmode and an unreadable sslrootcert are refused with the reason, never the password")
    func refusals() throws {
        let url = try TestPostgres.database()
        let password = try #require(URLComponents(string: url)?.password)
        func refusal(_ suffix: String) -> String {
            do {
                _ = try PostgresStore(url: url + suffix)
                return "connected"
            } catch {
                return "\(error)"
            }
        }
        // The system's roots do not vouch for the test cluster's self-signed certificate.
        let untrusted = refusal("?sslmode=verify-full")
        #expect(untrusted.contains("cannot connect to postgres://"), "\(untrusted)")
        #expect(untrusted.lowercased().contains("certificate"), "\(untrusted)")
        let unknown = refusal("?sslmode=sometimes")
        #expect(unknown.contains("sslmode is one of disable, prefer, require, verify-ca, verify-full"), "\(unknown)")
        let unreadable = refusal("?sslmode=verify-full&sslrootcert=/no/such/file.pem")
        #expect(unreadable.contains("cannot read the certificates in sslrootcert /no/such/file.pem"), "\(unreadable)")
        for message in [untrusted, unknown, unreadable] { #expect(!message.contains(password)) }
    }
}
