import ArgumentParser
import Foundation
import Store

struct Db: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect a store: its soundness and its schema.",
        subcommands: [Check.self, Schema.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run SQLite's integrity check and list the applied schema steps.",
            discussion: """
                Exit status 0 when the store is sound, 1 when it is damaged or not a pantau store. With --hash, also the SHA-256 \
                of the store's content (every table's schema and rows): the same after any number of opens, so a copy can be \
                verified against it.
                """
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print the SHA-256 of the store's content, stable across opens.")
        var hash = false

        func run() throws {
            let database = try store.openExisting()
            let problems = try database.integrityCheck()
            let migrations = try database.appliedMigrations()
            guard problems == ["ok"] else { throw CommandError.damagedStore(path: store.db, problems: problems) }
            print("\(store.db): ok; schema steps: \(migrations.joined(separator: ", "))")
            if hash { print("content sha256: \(try database.contentHash())") }
        }
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the store's schema as SQL.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let database = try store.openExisting()
            print(try database.schemaSQL())
        }
    }
}
