import Expressions
// The README's catalogue lists every diagnostic code, so authors can look each one up.
import Foundation
import TestSupport
import Testing

@testable import Questionnaire

struct CatalogueTests {
    @Test("every diagnostic code has a row in the README's catalogue")
    func everyCodeIsDocumented() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let codes = DiagnosticCode.allCases.map(\.rawValue) + ExpressionDiagnostic.Code.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count, "codes are unique")
        for code in codes {
            #expect(readme.contains("| \(code) |"), "\(code) is missing from the README")
        }
    }
}
