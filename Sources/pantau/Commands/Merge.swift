import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

/// `pantau merge`: field stores into one, one transaction per file.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge field stores into a central one (or the central one back into a device's).",
        discussion: """
            Idempotent by interview UUID: merging a file twice changes nothing. A newer version of an interview replaces \
            the older (logged); different interviews of the same questionnaire, unit and round are both kept and reported \
            as duplicates (see pantau duplicates and pantau resolve). Each file is merged in one transaction: a crash or \
            kill leaves the target as it was before that file. Files that are not pantau stores, come from a newer pantau, \
            fail SQLite's integrity check, or hold an interview without its questionnaire definition are refused whole. \
            The source files are never written to.
            """
    )

    @Argument(help: "Field store files (.sqlite) to merge.")
    var files: [String]

    @Option(help: ArgumentHelp("The store to merge into (created when missing).", valueName: "path"))
    var into: String

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one field store to merge") }
        if files.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL == URL(fileURLWithPath: into).standardizedFileURL }) {
            throw ValidationError("a store cannot be merged into itself")
        }
    }

    func run() throws {
        let central = try ResponseStore(path: into)
        // Each file is merged or refused on its own; the others go on. A refusal for round codes is a usage error of
        // the data (exit 64, as for interview and rounds add); any other refusal exits 1.
        var status: Int32 = 0
        for file in files {
            do {
                let summary = try central.merge(from: file, at: systemClock())
                print(summary.description)
            } catch let error as StoreError {
                Terminal.printError("error: \(error)")
                if case .roundRefused = error { status = 64 } else if status == 0 { status = 1 }
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
