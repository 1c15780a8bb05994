// The catalogue in docs/diagnostics.md lists every diagnostic code, so authors can look each one up.
import Expressions
import Foundation
import TestSupport
import Testing

@testable import Questionnaire

struct CatalogueTests {
    @Test("every diagnostic code has a row in the catalogue, docs/diagnostics.md")
    func everyCodeIsDocumented() throws {
        let catalogue = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        let codes = DiagnosticCode.allCases.map(\.rawValue) + ExpressionDiagnostic.Code.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count, "codes are unique")
        for code in codes {
            #expect(catalogue.contains("| \(code) |"), "\(code) is missing from docs/diagnostics.md")
        }
    }
}
