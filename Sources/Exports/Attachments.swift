import Foundation
import Questionnaire
import Store
import Tabular

extension Exporter {
    /// Writes the exported interviews' attachments beside the data, as `attachments/INTERVIEW/ADDRESS-FILE`, with a
    /// manifest (`attachments.csv`: interview, variable, file, path, size, SHA-256). The store checks each file's
    /// bytes against the SHA-256 taken when it was stored. Attachments of personal-data questions left out of the export
    /// are left out here too. Returns the files written.
    public static func writeAttachments(_ data: ExportData, from store: any StoreReading, to folder: String) throws -> [String] {
        guard let uuidColumn = data.wide.columns.firstIndex(where: { $0.name == "interview_uuid" }) else { return [] }
        let interviews = Set(data.wide.rows.map { $0[uuidColumn].text })
        let excluded = Set(data.excludedPII)
        let attachments = try store.attachments(of: interviews).filter { attachment in
            !excluded.contains(String(attachment.address.prefix { $0 != "[" }))
        }
        guard !attachments.isEmpty else { return [] }
        var written: [String] = []
        var manifest = [["interview_uuid", "address", "file_name", "path", "size", "sha256"]]
        for attachment in attachments {
            guard let content = try store.content(of: attachment) else { continue }
            let safeAddress = attachment.address.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }
            let relative = "attachments/\(attachment.interview)/\(String(safeAddress))-\(attachment.fileName)"
            let path = (folder as NSString).appendingPathComponent(relative)
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try content.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ExportError.cannotWrite(path: path, reason: error.localizedDescription)
            }
            written.append(path)
            manifest.append([attachment.interview, attachment.address, attachment.fileName, relative, String(attachment.size), attachment.sha256])
        }
        let manifestPath = (folder as NSString).appendingPathComponent("attachments.csv")
        do { try Data(CSV.write(manifest).utf8).write(to: URL(fileURLWithPath: manifestPath), options: .atomic) } catch {
            throw ExportError.cannotWrite(path: manifestPath, reason: error.localizedDescription)
        }
        return [manifestPath] + written
    }
}
