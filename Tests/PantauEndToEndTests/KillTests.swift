// L4: kill -9 at many points loses at most the answer being typed, and the draft resumes where it stopped.
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct KillTests {
    @Test("L4: killed after each answer's next prompt appeared: nothing answered is lost", arguments: Array(0...shortScript.count - 1))
    func killAfterPrompt(answered: Int) throws {
        let workspace = try Workspace()
        let run = try InteractiveRun(workspace.interview())
        #expect(run.waitForPrompts(1))
        for index in 0..<answered {
            run.send(shortScript[index].line)
            // The next prompt appears only after the answer is committed.
            #expect(run.waitForPrompts(index + 2))
        }
        #expect(run.kill() == .signalled(SIGKILL))

        let resumed = try InteractiveRun(workspace.interview())
        #expect(resumed.waitForPrompts(1))
        #expect(resumed.prompts.first == shortScript[answered].prompt)
        let (status, _) = resumed.finish()
        #expect(status == 3)
        let expected = Dictionary(
            shortScript.prefix(answered).compactMap { step -> (String, String)? in
                guard !step.prompt.hasPrefix("+"), !step.line.isEmpty else { return nil }
                let address = String(step.prompt.split(separator: " ")[0])
                let stored = ["q3": "yes", "q6": "09:30:00"][address] ?? step.line
                return (address, stored)
            }, uniquingKeysWith: { first, _ in first })
        #expect(try workspace.answers(workspace.onlyInterview()) == expected)
    }

    @Test("L4: Ctrl-C says the draft is kept and how to resume it, in the session's language; every answer given is kept")
    func interrupted() throws {
        let workspace = try Workspace()
        let run = try InteractiveRun(workspace.interview(["--lang", "id"]))
        #expect(run.waitForPrompts(1))
        run.send("7")
        run.send("halo")
        #expect(run.waitForPrompts(3))
        let (termination, stderr) = run.interrupt()
        #expect(termination == .exited(130))
        #expect(stderr.contains("Dihentikan (Ctrl-C). Semua jawaban sudah tersimpan sebagai draf.\nLanjutkan dengan: pantau interview"), "\(stderr)")
        #expect(try workspace.answers(workspace.onlyInterview()) == ["q1": "7", "q2": "halo"])
    }

    @Test(
        "L4: killed at random moments while answers are being written: the store stays sound and consistent",
        arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func killAnyMoment(seed: UInt64) throws {
        let workspace = try Workspace()
        var random = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func nextDelay() -> UInt32 {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32((random >> 33) % 20_000)  // up to 20 ms
        }
        var answeredSoFar = 0
        // Three sessions, each killed at an arbitrary moment after sending an answer.
        for _ in 0..<3 {
            let run = try InteractiveRun(workspace.interview())
            guard run.waitForPrompts(1), let first = run.prompts.first else { break }
            guard let position = try Self.position(of: first, in: workspace) else {
                Issue.record("resumed at an unexpected prompt \(first)")
                return
            }
            #expect(position >= answeredSoFar)
            let batch = shortScript[position..<min(shortScript.count, position + 3)]
            for step in batch { run.send(step.line) }
            usleep(nextDelay())
            run.kill()
            answeredSoFar = position
        }
        let check = try pantau(["db", "check", "--db", workspace.db])
        #expect(check.status == 0)
        #expect(
            check.stdout
                == "\(workspace.db): ok; schema steps: 001-create-schema, 002-import-log, 003-keyed-audit-log, 004-step-journal, 005-attachments, 006-server\n")
        let resumed = try InteractiveRun(workspace.interview())
        #expect(resumed.waitForPrompts(1))
        let prompt = resumed.prompts.first ?? ""
        let (status, _) = resumed.finish()
        #expect(status == 3)
        // Every stored answer belongs to a question before the resumed one (the repeat prompt occurs
        // several times, so the position is the first occurrence that accounts for what is stored).
        #expect(try Self.position(of: prompt, in: workspace) != nil, "resumed at \(prompt)")
    }

    static func addresses(before position: Int) -> Set<String> {
        Set(shortScript.prefix(position).map { String($0.prompt.split(separator: " ")[0]) })
    }

    /// Where in the script a resumed prompt stands, given the answers stored; nil when no place fits.
    static func position(of prompt: String, in workspace: Workspace) throws -> Int? {
        let stored = Set(try workspace.answers(workspace.onlyInterview()).keys)
        return shortScript.indices.first { shortScript[$0].prompt == prompt && stored.isSubset(of: addresses(before: $0)) }
    }
}
