/// The k rows with the largest values seen, smallest on top.
struct RowHeap {
    private var values: [Float] = []
    private var heapRows: [Int32] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        values.reserveCapacity(self.capacity)
        heapRows.reserveCapacity(self.capacity)
    }

    /// The kept rows, in no particular order.
    var rows: [Int32] { heapRows }
    /// Whether `capacity` rows are kept.
    var isFull: Bool { values.count >= capacity }
    /// The smallest kept value (-infinity while empty).
    var minimum: Float { values.first ?? -.infinity }

    @inline(__always)
    mutating func offer(_ value: Float, row: Int32) {
        if values.count < capacity {
            values.append(value)
            heapRows.append(row)
            var child = values.count - 1
            while child > 0, values[child] < values[(child - 1) / 2] {
                swapAt(child, (child - 1) / 2)
                child = (child - 1) / 2
            }
        } else if capacity > 0, value > values[0] {
            values[0] = value
            heapRows[0] = row
            siftDown()
        }
    }

    private mutating func siftDown() {
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < values.count, values[left] < values[smallest] { smallest = left }
            if right < values.count, values[right] < values[smallest] { smallest = right }
            if smallest == parent { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        values.swapAt(i, j)
        heapRows.swapAt(i, j)
    }
}
