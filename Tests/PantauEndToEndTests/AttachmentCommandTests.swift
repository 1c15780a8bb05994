// Requirements covered here (issue: XLSForms as the field writes them):
// T4 an XLSForm with photo, audio and file questions is interviewed (scripted, through the engine) and exported: each
//    file beside the data under attachments/, listed with its size and SHA-256 in attachments.csv
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct AttachmentCommandTests {
    @Test("T4: simulated interviews of a form with attachments export the files beside the data, with a manifest")
    func export() throws {
        let folder = try temporaryDirectory()
        let form = folder.appendingPathComponent("media").path
        try FileManager.default.createDirectory(atPath: form, withIntermediateDirectories: true)
        try "type,name,label,required\nphoto,office,The village office,yes\naudio,greeting,A greeting,\nfile,minutes,Meeting minutes,yes\n"
            .write(toFile: form + "/survey.csv", atomically: true, encoding: .utf8)
        try "form_id,form_title,version\nmedia,Media,1\n".write(toFile: form + "/settings.csv", atomically: true, encoding: .utf8)
        let frame = folder.appendingPathComponent("frame.csv").path
        try "code,name,level,parent_code\nv1,Desa Satu,village,\nv2,Desa Dua,village,\n".write(toFile: frame, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("s.sqlite").path
        let simulated = try pantau(["simulate", "--frame", frame, "--questionnaire", form, "--rounds", "2021-H1", "--db", db, "--seed", "3"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let out = folder.appendingPathComponent("export").path
        let exported = try pantau(["export", "--db", db, "--questionnaire", "media", "--format", "csv", "--out", out])
        #expect(exported.status == 0, "\(exported.stderr)")
        let manifest = try String(contentsOfFile: out + "/attachments.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(manifest.first == "interview_uuid,address,file_name,path,size,sha256")
        // Two interviews, each with the two required files (and the optional recording where the simulation gave one).
        #expect(manifest.count >= 5 && manifest.filter { $0.contains(",office,office.jpg,") }.count == 2)
        for line in manifest.dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            let file = out + "/" + fields[3]
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            #expect((try? Data(contentsOf: URL(fileURLWithPath: file)).count) == Int(fields[4]))
        }
        // The data names the file each interview answered with.
        let data = try String(contentsOfFile: out + "/media.csv", encoding: .utf8)
        #expect(data.contains("office.jpg") && data.contains("minutes.pdf"))
    }

    @Test("a rank question: simulated through the engine, exported as the order and each choice's place")
    func rank() throws {
        let folder = try temporaryDirectory()
        let form = folder.appendingPathComponent("prio").path
        try FileManager.default.createDirectory(atPath: form, withIntermediateDirectories: true)
        try "type,name,label\nrank needs,prio,Which needs come first?\n".write(toFile: form + "/survey.csv", atomically: true, encoding: .utf8)
        try "list_name,name,label\nneeds,water,Water\nneeds,roads,Roads\nneeds,school,School\n".write(
            toFile: form + "/choices.csv", atomically: true, encoding: .utf8)
        try "form_id,form_title,version\nprio,Priorities,1\n".write(toFile: form + "/settings.csv", atomically: true, encoding: .utf8)
        let frame = folder.appendingPathComponent("frame.csv").path
        try "code,name,level,parent_code\nv1,Desa Satu,village,\nv2,Desa Dua,village,\nv3,Desa Tiga,village,\n".write(
            toFile: frame, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("r.sqlite").path
        #expect(try pantau(["simulate", "--frame", frame, "--questionnaire", form, "--rounds", "2021-H1", "--db", db, "--seed", "5"]).status == 0)
        let out = folder.appendingPathComponent("export").path
        #expect(try pantau(["export", "--db", db, "--questionnaire", "prio", "--format", "csv", "--out", out]).status == 0)
        let rows = try String(contentsOfFile: out + "/prio.csv", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = rows[0]
        let order = try #require(header.firstIndex(of: "prio"))
        let places = ["water", "roads", "school"].map { header.firstIndex(of: "prio_\($0)")! }
        #expect(rows.count == 4)
        for row in rows.dropFirst() {
            let codes = row[order].split(separator: " ").map(String.init)
            #expect(Set(codes) == ["water", "roads", "school"])
            // Each choice's place is its position in the order.
            for (code, column) in zip(["water", "roads", "school"], places) { #expect(row[column] == String(codes.firstIndex(of: code)! + 1)) }
        }
    }
}
