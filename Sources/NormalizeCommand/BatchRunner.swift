import Dispatch
import LinkNormalizerCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where inputs come from, in order: argument lists and stdin (`-`), as the command line gave them.
enum InputSegment: Sendable {
  case arguments([String])
  case standardInput
}

extension ErrorCode {
  /// The run was interrupted (Ctrl-C, SIGTERM) before this input got a remote answer.
  static let interrupted: ErrorCode = "interrupted"
}

/// Numbers the blocks the reader hands to workers, until the run loop closes it. Closing returns
/// how many blocks were admitted, so the run loop knows exactly which blocks to wait for.
final class InputGate: Sendable {
  private let state = Mutex<(admitted: Int, closed: Bool)>((0, false))

  /// The next block's sequence number, or nil once closed.
  func admit() -> Int? {
    state.withLock { state in
      guard !state.closed else { return nil }
      defer { state.admitted += 1 }
      return state.admitted
    }
  }

  /// Closes the gate; returns the number of blocks admitted.
  func close() -> Int {
    state.withLock { state in
      state.closed = true
      return state.admitted
    }
  }
}

/// Turns SIGINT and SIGTERM into run events while the run lasts. (Unchecked: the sources are
/// set up once in init and only cancelled afterwards; Dispatch sources are thread-safe.)
final class SignalWatch: @unchecked Sendable {
  private let sources: [any DispatchSourceSignal]

  init(continuation: AsyncStream<BatchRunner.Event>.Continuation) {
    sources = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { continuation.yield(.interrupted) }
      source.resume()
      return source
    }
  }

  func stop() {
    for source in sources { source.cancel() }
  }
}

/// Immutable bytes produced by a worker, handed to the writer without copying.
final class ByteBlock: @unchecked Sendable {
  let base: UnsafeMutablePointer<UInt8>
  let count: Int
  /// Takes over `buffer`'s storage.
  init(_ buffer: OutputBuffer) {
    base = buffer.base
    count = buffer.count
    capacity = buffer.capacity
  }
  private let capacity: Int
  deinit { BufferPool.shared.give(base, capacity: capacity) }
  var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
}

/// Runs a batch: reads inputs (streaming), normalizes them, writes one record per input in input
/// order.
///
/// Pipeline: a reader thread cuts stdin into blocks of lines (at most one 64 KiB read each) and
/// hands every block to a worker on the global concurrent queue; a worker normalizes the block's
/// local inputs synchronously and formats them. Inputs that need the network are left as pending
/// slots and resolved by the run loop with up to `concurrency` tasks at once, identical links
/// sharing one resolution. The run loop writes blocks in order. Memory is bounded by
/// `windowBlocks` blocks between reading and writing, not by the size of the batch.
final class BatchRunner {
  struct Configuration: Sendable {
    var chain: FallbackChain
    var formatter: RecordFormatter
    var which: Bool
    var concurrency: Int = 16
    var maxLineBytes: Int = 65_536
    /// Blocks that may be read ahead of the oldest unwritten one.
    var windowBlocks: Int = 16
    /// Finished network resolutions remembered for in-run de-duplication.
    var recentResolutionsLimit: Int = 65_536
    /// Draw a progress line on stderr (a terminal) once the run takes longer than a moment.
    var progress: Bool = false
    /// Inputs known in advance (arguments only), for the progress line.
    var knownTotal: Int? = nil
  }

  enum Event: Sendable {
    case block(ProcessedBlock)
    /// The reader is done (it admits no more blocks: ``InputGate/close()`` counts them).
    case inputEnded
    case inputFailed(String)
    case resolved(key: String, record: NormalizationRecord)
    /// Ctrl-C (SIGINT) or SIGTERM.
    case interrupted
    /// A timer for the progress line.
    case tick
  }

  struct ProcessedBlock: Sendable {
    var sequence: Int
    var segments: [Segment]
    var tally: Tally
    var itemCount: Int
  }

  enum Segment: Sendable {
    case output(stdout: ByteBlock, stderr: ByteBlock?)
    case pending(index: Int, prepared: FallbackChain.PreparedInput)
  }

  private enum QueueItem {
    case output(ByteBlock, ByteBlock?)
    case pending(Int)
    case blockEnd
  }

  /// Totals of the run.
  struct Summary {
    var tally = Tally()
    var deduplicated = 0
    var inputError: String? = nil
    var outputClosed = false
    var interrupted = false
  }

  private let configuration: Configuration
  private let out: DescriptorWriter
  private let err: DescriptorWriter
  private(set) var summary = Summary()

  // Ordered output.
  private var arrived: [Int: ProcessedBlock] = [:]
  private var nextSequence = 0
  private var queue = FIFO<QueueItem>()
  private var done: [Int: NormalizationRecord] = [:]
  /// Where records answered remotely are formatted before they are written; kept for the run.
  private var stdout = OutputBuffer(capacity: 1 << 12)
  private var stderr = OutputBuffer(capacity: 1 << 10)

  // Progress.
  private var progressLine: ProgressLine? = nil
  private var itemsRead = 0
  private var inputComplete = false

  // Remote scheduling.
  private var tasks: [String: Task<Void, Never>] = [:]
  private var running = 0
  private var waiting = FIFO<(key: String, prepared: FallbackChain.PreparedInput)>()
  private var inflight: [String: [(index: Int, input: String, link: ParsedLink?)]] = [:]
  private var recent: [String: NormalizationRecord] = [:]
  private var recentOrder = FIFO<String>()

  init(configuration: Configuration, out: DescriptorWriter, err: DescriptorWriter) {
    self.configuration = configuration
    self.out = out
    self.err = err
  }

  deinit {
    stdout.release()
    stderr.release()
  }

  /// Runs the whole batch; returns when every input has been written, output was closed, or the
  /// run was interrupted (then every input already read gets a record, `interrupted` for those
  /// still waiting for a remote answer).
  func run(_ segments: [InputSegment], standardInput: Int32 = 0) async {
    let (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
    // Created at zero and raised: libdispatch traps when a semaphore is released below its initial
    // value, which happens when the run stops early with blocks still in flight.
    let permits = DispatchSemaphore(value: 0)
    for _ in 0..<configuration.windowBlocks { permits.signal() }
    let gate = InputGate()
    let pump = InputPump(
      segments: segments, fd: standardInput, configuration: configuration, permits: permits,
      continuation: continuation, gate: gate)
    DispatchQueue(label: "normalize.input").async { pump.run() }
    let signals = SignalWatch(continuation: continuation)
    defer { signals.stop() }
    if configuration.progress {
      progressLine = ProgressLine(started: MonotonicTime.seconds())
      Task {
        while !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(100))
          if case .terminated = continuation.yield(.tick) { return }
        }
      }
    }
    var totalBlocks: Int? = nil
    for await event in events {
      switch event {
      case .block(let block):
        itemsRead += block.itemCount
        arrived[block.sequence] = block
        enqueueArrivedBlocks(continuation: continuation)
      case .inputEnded:
        totalBlocks = gate.close()
        inputComplete = true
      case .inputFailed(let message):
        summary.inputError = message
        totalBlocks = gate.close()
        inputComplete = true
      case .resolved(let key, let record):
        tasks[key] = nil
        running -= 1
        complete(key: key, record: record)
        startWaiting(continuation: continuation)
      case .interrupted:
        if summary.interrupted { exit(130) }  // a second Ctrl-C: leave at once
        summary.interrupted = true
        totalBlocks = gate.close()
        interruptPending()
      case .tick:
        break
      }
      writeReady(permits: permits)
      drawProgress()
      if out.isClosed {
        summary.outputClosed = true
        break
      }
      if let totalBlocks, nextSequence == totalBlocks, queue.isEmpty, running == 0 || summary.interrupted {
        break
      }
    }
    progressLine?.clear(to: err)
    _ = gate.close()
    continuation.finish()
    for task in tasks.values { task.cancel() }
    // Let a reader blocked on the window go; it will see the gate closed.
    for _ in 0..<configuration.windowBlocks { permits.signal() }
  }

  private func drawProgress() {
    guard progressLine != nil else { return }
    let total = inputComplete ? itemsRead : configuration.knownTotal
    progressLine?.draw(
      done: summary.tally.inputs, total: total, failed: summary.tally.failed, now: MonotonicTime.seconds(), to: err)
  }

  /// Every input waiting for a remote answer gets an `interrupted` record; nothing new starts.
  private func interruptPending() {
    for (_, task) in tasks { task.cancel() }
    tasks.removeAll()
    running = 0
    waiting.removeAll()
    for key in Array(inflight.keys) {
      complete(key: key, record: nil)
    }
  }

  // MARK: - Blocks in order

  private func enqueueArrivedBlocks(continuation: AsyncStream<Event>.Continuation) {
    while let block = arrived.removeValue(forKey: nextSequence) {
      nextSequence += 1
      summary.tally.add(block.tally)
      for segment in block.segments {
        switch segment {
        case .output(let stdout, let stderr):
          queue.append(.output(stdout, stderr))
        case .pending(let index, let prepared):
          queue.append(.pending(index))
          schedule(index: index, prepared: prepared, continuation: continuation)
        }
      }
      queue.append(.blockEnd)
    }
  }

  private func writeReady(permits: DispatchSemaphore) {
    var tally = Tally()
    drain: while let item = queue.first {
      switch item {
      case .output(let outBytes, let errBytes):
        flush(&stdout, &stderr)
        out.write(outBytes.bytes)
        if let errBytes { err.write(errBytes.bytes) }
      case .pending(let index):
        // The oldest unwritten input still waits for its remote answer: everything after it waits too.
        guard let record = done.removeValue(forKey: index) else { break drain }
        configuration.formatter.write(record, index: index, out: &stdout, err: &stderr, tally: &tally)
      case .blockEnd:
        permits.signal()
      }
      _ = queue.popFirst()
      if out.isClosed { break }
    }
    flush(&stdout, &stderr)
    summary.tally.add(tally)
  }

  private func flush(_ stdout: inout OutputBuffer, _ stderr: inout OutputBuffer) {
    if !stdout.isEmpty { out.write(stdout) }
    if !stderr.isEmpty { err.write(stderr) }
    stdout.removeAll()
    stderr.removeAll()
  }

  // MARK: - Remote work

  private func schedule(
    index: Int, prepared: FallbackChain.PreparedInput, continuation: AsyncStream<Event>.Continuation
  ) {
    if summary.interrupted {
      done[index] = interruptedRecord(prepared.input, link: prepared.link)
      return
    }
    // Inputs whose handlers only answer asynchronously but need no network are not shared.
    guard prepared.needsNetwork, let link = prepared.link else {
      inflight["#\(index)"] = [(index, prepared.input, prepared.link)]
      waiting.append(("#\(index)", prepared))
      startWaiting(continuation: continuation)
      return
    }
    let key = link.identityKey
    if let finished = recent[key] {
      summary.deduplicated += 1
      done[index] = reuse(finished, input: prepared.input, link: link)
      return
    }
    if inflight[key] != nil {
      summary.deduplicated += 1
      inflight[key]!.append((index, prepared.input, link))
      return
    }
    inflight[key] = [(index, prepared.input, link)]
    waiting.append((key, prepared))
    startWaiting(continuation: continuation)
  }

  private func startWaiting(continuation: AsyncStream<Event>.Continuation) {
    while running < configuration.concurrency, let job = waiting.popFirst() {
      running += 1
      let chain = configuration.chain
      tasks[job.key] = Task {
        let record = await chain.run(job.prepared)
        continuation.yield(.resolved(key: job.key, record: record))
      }
    }
  }

  /// Hands a finished resolution to every input waiting for it; nil means interrupted.
  private func complete(key: String, record: NormalizationRecord?) {
    for waiter in inflight.removeValue(forKey: key) ?? [] {
      done[waiter.index] =
        record.map { reuse($0, input: waiter.input, link: waiter.link) }
        ?? interruptedRecord(waiter.input, link: waiter.link)
    }
    if let record, !key.hasPrefix("#") { remember(key: key, record: record) }
  }

  private func interruptedRecord(_ input: String, link: ParsedLink?) -> NormalizationRecord {
    NormalizationRecord(
      input: input, foundLink: link,
      result: .failure(NormalizationError(.interrupted, "the run was interrupted before this input was resolved")),
      attempts: [])
  }

  private func remember(key: String, record: NormalizationRecord) {
    guard configuration.recentResolutionsLimit > 0 else { return }
    if recent.updateValue(record, forKey: key) == nil { recentOrder.append(key) }
    if recent.count > configuration.recentResolutionsLimit, let oldest = recentOrder.popFirst() {
      recent.removeValue(forKey: oldest)
    }
  }

  private func reuse(_ record: NormalizationRecord, input: String, link: ParsedLink?) -> NormalizationRecord {
    var copy = record
    copy.input = input
    copy.foundLink = link
    return copy
  }
}

/// Reads the input segments on its own thread, cuts them into blocks and has workers process
/// them. Waits for a window permit before each block, so it never reads far ahead of the writer.
struct InputPump: Sendable {
  let segments: [InputSegment]
  let fd: Int32
  let configuration: BatchRunner.Configuration
  let permits: DispatchSemaphore
  let continuation: AsyncStream<BatchRunner.Event>.Continuation
  let gate: InputGate

  func run() {
    var index = 1
    var stdinRead = false
    func send(_ block: InputBlock) -> Bool {
      permits.wait()
      guard let number = gate.admit() else { return false }
      let configuration = self.configuration
      let continuation = self.continuation
      DispatchQueue.global().async {
        let processed = BlockWorker.process(block, sequence: number, configuration: configuration)
        continuation.yield(.block(processed))
      }
      return true
    }
    for segment in segments {
      switch segment {
      case .arguments(let texts):
        var block = InputBlock()
        for text in texts {
          block.items.append(InputItem(index: index, content: .text(text)))
          index += 1
          if block.items.count == 1_024 {
            if !send(block) { return }
            block = InputBlock()
          }
        }
        if !block.items.isEmpty, !send(block) { return }
      case .standardInput:
        guard !stdinRead else { continue }
        stdinRead = true
        var splitter = LineSplitter(maxLineBytes: configuration.maxLineBytes, firstIndex: index)
        while true {
          // A fresh buffer per read: its block's lines point into it and free it when done.
          let bytes = InputBytes(capacity: 1 << 16)
          let n = read(fd, bytes.base, bytes.capacity)
          if n < 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            continuation.yield(.inputFailed("cannot read standard input: \(message)"))
            return
          }
          var block = InputBlock(bytes: bytes)
          if n == 0 {
            splitter.finish(into: &block.items)
            if !block.items.isEmpty, !send(block) { return }
            break
          }
          splitter.feed(UnsafeBufferPointer(start: bytes.base, count: n), shared: true, into: &block.items)
          if !block.items.isEmpty, !send(block) { return }
        }
        index = splitter.nextIndex
      }
    }
    continuation.yield(.inputEnded)
  }
}

/// Normalizes and formats one block of inputs on a worker thread.
enum BlockWorker {
  static func process(_ block: InputBlock, sequence: Int, configuration: BatchRunner.Configuration)
    -> BatchRunner.ProcessedBlock
  {
    let items = block.items
    let chain = configuration.chain
    let formatter = configuration.formatter
    var segments: [BatchRunner.Segment] = []
    var tally = Tally()
    // JSON records are about three times the size of their input; start there.
    var inputBytes = 0
    for item in items {
      switch item.content {
      case .text(let text): inputBytes += text.utf8.count
      case .line(_, let count): inputBytes += Int(count)
      case .tooLong: break
      }
    }
    let outputCapacity = configuration.formatter.format == .jsonl ? 4 * inputBytes + 8_192 : inputBytes + 4_096
    var out = OutputBuffer(capacity: outputCapacity)
    var err = OutputBuffer(capacity: 1_024)
    /// Hands what `out` and `err` hold over as one output segment (their storage goes with it).
    func handOver() {
      segments.append(.output(stdout: ByteBlock(out), stderr: err.isEmpty ? nil : ByteBlock(err)))
      if err.isEmpty { err.release() }
    }
    // Set only when an input's synchronous run stops (rare): one variable for the block.
    var pending: FallbackChain.PreparedInput? = nil
    for item in items {
      switch item.content {
      case .tooLong(let prefix, let length):
        let record = formatter.tooLongRecord(prefix: prefix, length: length, limit: configuration.maxLineBytes)
        formatter.write(record, index: item.index, out: &out, err: &err, tally: &tally)
      case .text, .line:
        let text = block.text(of: item)!
        if configuration.which {
          formatter.writePlan(chain.prepare(text), index: item.index, out: &out, err: &err, tally: &tally)
          continue
        }
        if let record = chain.normalizeSynchronously(text, pending: &pending) {
          formatter.write(record, index: item.index, out: &out, err: &err, tally: &tally)
        } else {
          if !out.isEmpty || !err.isEmpty {
            handOver()
            out = OutputBuffer(capacity: 4_096)
            err = OutputBuffer(capacity: 1_024)
          }
          segments.append(.pending(index: item.index, prepared: pending.take() ?? chain.prepare(text)))
        }
      }
    }
    if !out.isEmpty || !err.isEmpty {
      handOver()
    } else {
      out.release()
      err.release()
    }
    return BatchRunner.ProcessedBlock(sequence: sequence, segments: segments, tally: tally, itemCount: items.count)
  }
}

/// A first-in, first-out queue on an array with a moving head: taking the first element is O(1)
/// and lets go of it at once; the taken prefix is dropped when everything has been taken, or when
/// it is large and over half the array.
struct FIFO<Element> {
  private var items: [Element?] = []
  private var head = 0

  var isEmpty: Bool { head == items.count }
  var first: Element? { isEmpty ? nil : items[head] }

  mutating func append(_ element: Element) { items.append(element) }

  mutating func popFirst() -> Element? {
    guard head < items.count else { return nil }
    let element = items[head]
    items[head] = nil
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    } else if head > 4_096, head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    return element
  }

  mutating func removeAll() {
    items.removeAll()
    head = 0
  }
}
