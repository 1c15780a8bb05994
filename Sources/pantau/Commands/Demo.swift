import ArgumentParser
import Foundation
import Workflows

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The whole six-monthly job on a simulated KOMPAK panel: store, frame, four rounds, outputs.",
        discussion: """
            Creates a fresh store under --out, imports the plan's frame, simulates its rounds, and writes every output
            that exists so far: response counts per round and instrument, codebooks, version diffs and the manifest
            of the simulation's true effects. Prints where they are.
            """
    )

    @Option(help: "The survey plan.")
    var plan: String = "Questionnaires/kompak/kompak.plan.yaml"

    @Option(help: "The indicator specification; default: Analysis/<plan's folder name>/indicators.yaml.")
    var indicators: String?

    @Option(help: "The output folder (emptied first).")
    var out: String = "out"

    @Option(help: "The simulation's seed.")
    var seed: UInt64 = 20_201_201

    func run() throws {
        let started = Date()
        let outcome = try DemoWorkflow(plan: plan, indicators: indicators, out: out, seed: seed).run { Terminal.printError("demo: \($0)") }
        print(outcome.responses)
        print(String(format: "demo finished in %.1f s; outputs:", Date().timeIntervalSince(started)))
        for path in outcome.written { print("  \(path)") }
        print("the simulation's true effects are in \(out)/manifest.json, to hold the DiD tables against.")
    }
}
