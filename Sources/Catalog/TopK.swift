/// Keeps the k best (score, row) pairs seen so far: higher score first, and on equal scores the
/// smaller id first, so results never depend on the order rows were visited in.
struct TopK {
    private(set) var heap: [(score: Float, row: Int)] = []  // min-heap on "goodness": worst at index 0
    let capacity: Int
    let ids: [String]

    init(capacity: Int, ids: [String]) {
        self.capacity = max(0, capacity)
        self.ids = ids
        heap.reserveCapacity(self.capacity)
    }

    /// The score a new row must reach to enter (when full), else -infinity.
    var admissionScore: Float { heap.count < capacity ? -.infinity : heap[0].score }
    var isFull: Bool { heap.count >= capacity }

    /// Whether `a` ranks below `b`.
    @inline(__always)
    private func worse(_ a: (score: Float, row: Int), _ b: (score: Float, row: Int)) -> Bool {
        if a.score != b.score { return a.score < b.score }
        return ids[a.row] > ids[b.row]
    }

    mutating func offer(score: Float, row: Int) {
        guard capacity > 0, !score.isNaN else { return }
        let candidate = (score: score, row: row)
        if heap.count < capacity {
            heap.append(candidate)
            siftUp(heap.count - 1)
        } else if worse(heap[0], candidate) {
            heap[0] = candidate
            siftDown(0)
        }
    }

    /// The kept pairs, best first.
    func sorted() -> [(score: Float, row: Int)] {
        heap.sorted { worse($1, $0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var worst = parent
            if left < heap.count, worse(heap[left], heap[worst]) { worst = left }
            if right < heap.count, worse(heap[right], heap[worst]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
