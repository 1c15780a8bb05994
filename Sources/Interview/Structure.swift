import Questionnaire

/// The questionnaire's items as a flat array with tree links, built once per interview.
struct Structure {
    let items: [Item]
    let index: [String: Int]
    let parent: [Int?]
    let firstChild: [Int?]
    let nextSibling: [Int?]
    /// The first top-level item.
    let root: Int?

    init(_ questionnaire: Questionnaire) {
        var items: [Item] = []
        var parent: [Int?] = []
        var firstChild: [Int?] = []
        var nextSibling: [Int?] = []
        func add(_ list: [Item], parentIndex: Int?) -> Int? {
            var first: Int?
            var previous: Int?
            for item in list {
                let position = items.count
                items.append(item)
                parent.append(parentIndex)
                firstChild.append(nil)
                nextSibling.append(nil)
                if let previous { nextSibling[previous] = position }
                if first == nil { first = position }
                previous = position
                firstChild[position] = add(item.children, parentIndex: position)
            }
            return first
        }
        root = add(questionnaire.items, parentIndex: nil)
        var index: [String: Int] = [:]
        for (position, item) in items.enumerated() where index[item.name] == nil { index[item.name] = position }
        self.items = items
        self.index = index
        self.parent = parent
        self.firstChild = firstChild
        self.nextSibling = nextSibling
    }

    func item(_ name: String) -> Item? { index[name].map { items[$0] } }
}
