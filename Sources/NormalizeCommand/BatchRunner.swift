import Dispatch
import LinkNormalizerCore

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

/// Runs a batch: reads inputs (streaming), normalizes them, writes one record per input in input
/// order.
///
/// Local inputs are normalized on the run's task as they arrive; inputs that need the network are
/// resolved by up to `concurrency` tasks at once, identical links sharing one resolution. Memory is
/// bounded by a window of inputs read ahead of the oldest unwritten one (`windowChunks` blocks of
/// stdin, each at most 64 KiB), not by the size of the batch.
final class BatchRunner {
  struct Configuration {
    var chain: FallbackChain
    var format: OutputFormat
    var explain: Bool
    var which: Bool
    var concurrency: Int = 16
    var maxLineBytes: Int = 65_536
    /// Blocks of input that may be read ahead of the oldest unwritten record.
    var windowChunks: Int = 64
    /// Finished network resolutions remembered for in-run de-duplication.
    var recentResolutionsLimit: Int = 65_536
  }

  enum Event: Sendable {
    case inputs([InputItem])
    case inputEnded
    case inputFailed(String)
    case resolved(key: String, record: NormalizationRecord)
  }

  /// What the run did, for the exit code and the summary.
  struct Tally {
    var inputs = 0
    var normalized = 0
    var failuresByCode: [String: Int] = [:]
    var deduplicated = 0
    var inputError: String? = nil
    var outputClosed = false
  }

  private let configuration: Configuration
  private let out: ByteSink
  private let err: ByteSink
  private let formatter: RecordFormatter
  private(set) var tally = Tally()

  // Ordered output window: slot i holds input number `nextToWrite + i`.
  private var slots: [Slot?] = []
  private var slotHead = 0
  private var nextToWrite = 1
  /// Last input number of each block read, oldest first; a block's permit is returned once its last
  /// input is written.
  private var blockEnds: [Int] = []
  private var blockHead = 0

  // Network scheduling.
  private var running = 0
  private var waiting: [(key: String, prepared: FallbackChain.PreparedInput)] = []
  private var waitingHead = 0
  private var inflight: [String: [(index: Int, input: String, url: String?)]] = [:]
  private var recent: [String: NormalizationRecord] = [:]
  private var recentOrder: [String] = []
  private var recentHead = 0

  private enum Slot {
    case record(NormalizationRecord)
    case plan(FallbackChain.PreparedInput)
  }

  init(configuration: Configuration, out: ByteSink, err: ByteSink) {
    self.configuration = configuration
    self.out = out
    self.err = err
    self.formatter = RecordFormatter(format: configuration.format)
  }

  /// Runs the whole batch; returns when every input has been written (or output was closed).
  func run(_ segments: [InputSegment], standardInput: Int32 = 0) async {
    let (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
    let permits = DispatchSemaphore(value: configuration.windowChunks)
    let maxLine = configuration.maxLineBytes
    DispatchQueue(label: "normalize.input").async {
      InputPump(
        segments: segments, fd: standardInput, maxLineBytes: maxLine, permits: permits,
        continuation: continuation
      ).run()
    }
    var inputEnded = false
    for await event in events {
      switch event {
      case .inputs(let items):
        if let last = items.last?.index {
          blockEnds.append(last)
        } else {
          permits.signal()
        }
        for item in items { await accept(item, continuation: continuation) }
      case .inputEnded:
        inputEnded = true
      case .inputFailed(let message):
        tally.inputError = message
        inputEnded = true
      case .resolved(let key, let record):
        running -= 1
        complete(key: key, record: record)
        startWaiting(continuation: continuation)
      }
      writeReady(permits: permits)
      out.flush()
      err.flush()
      if out.isClosed {
        tally.outputClosed = true
        break
      }
      if inputEnded && running == 0 && waitingHead == waiting.count && slotHead == slots.count { break }
    }
    continuation.finish()
    // Let a reader blocked on the window go; it will find the stream finished.
    for _ in 0..<configuration.windowChunks { permits.signal() }
  }

  // MARK: - Inputs

  private func accept(_ item: InputItem, continuation: AsyncStream<Event>.Continuation) async {
    tally.inputs += 1
    let text: String
    switch item.content {
    case .tooLong(let prefix, let length):
      let error = NormalizationError(
        .invalidInput, "input line is \(length) bytes; the limit is \(configuration.maxLineBytes) bytes")
      store(.record(NormalizationRecord(input: prefix, url: nil, result: .failure(error), attempts: [])), at: item.index)
      return
    case .text(let value):
      text = value
    }
    let chain = configuration.chain
    let prepared = chain.prepare(text)
    if configuration.which {
      store(.plan(prepared), at: item.index)
      return
    }
    guard prepared.needsNetwork, let link = prepared.link else {
      store(.record(await chain.run(prepared)), at: item.index)
      return
    }
    let key = link.host + link.target
    if let done = recent[key] {
      tally.deduplicated += 1
      store(.record(reuse(done, input: text, url: link.text)), at: item.index)
      return
    }
    if inflight[key] != nil {
      tally.deduplicated += 1
      inflight[key]!.append((item.index, text, link.text))
      reserve(item.index)
      return
    }
    inflight[key] = [(item.index, text, link.text)]
    reserve(item.index)
    waiting.append((key, prepared))
    startWaiting(continuation: continuation)
  }

  private func startWaiting(continuation: AsyncStream<Event>.Continuation) {
    while running < configuration.concurrency, waitingHead < waiting.count {
      let job = waiting[waitingHead]
      waitingHead += 1
      running += 1
      let chain = configuration.chain
      Task {
        let record = await chain.run(job.prepared)
        continuation.yield(.resolved(key: job.key, record: record))
      }
    }
    if waitingHead == waiting.count {
      waiting.removeAll(keepingCapacity: true)
      waitingHead = 0
    }
  }

  private func complete(key: String, record: NormalizationRecord) {
    for waiter in inflight.removeValue(forKey: key) ?? [] {
      store(.record(reuse(record, input: waiter.input, url: waiter.url)), at: waiter.index)
    }
    remember(key: key, record: record)
  }

  private func remember(key: String, record: NormalizationRecord) {
    guard configuration.recentResolutionsLimit > 0 else { return }
    if recent.updateValue(record, forKey: key) == nil { recentOrder.append(key) }
    if recent.count > configuration.recentResolutionsLimit {
      recent.removeValue(forKey: recentOrder[recentHead])
      recentHead += 1
      if recentHead > 4_096, recentHead * 2 > recentOrder.count {
        recentOrder.removeFirst(recentHead)
        recentHead = 0
      }
    }
  }

  private func reuse(_ record: NormalizationRecord, input: String, url: String?) -> NormalizationRecord {
    var copy = record
    copy.input = input
    copy.url = url
    return copy
  }

  // MARK: - Ordered output

  private func reserve(_ index: Int) {
    let position = index - nextToWrite + slotHead
    while slots.count <= position { slots.append(nil) }
  }

  private func store(_ slot: Slot, at index: Int) {
    reserve(index)
    slots[index - nextToWrite + slotHead] = slot
  }

  private func writeReady(permits: DispatchSemaphore) {
    while slotHead < slots.count, let slot = slots[slotHead] {
      slots[slotHead] = nil
      slotHead += 1
      let index = nextToWrite
      nextToWrite += 1
      switch slot {
      case .record(let record): write(record, index: index)
      case .plan(let prepared): writePlan(prepared, index: index)
      }
      out.flushIfNeeded()
      while blockHead < blockEnds.count, blockEnds[blockHead] <= index {
        blockHead += 1
        permits.signal()
      }
      if out.isClosed { return }
    }
    if slotHead == slots.count {
      slots.removeAll(keepingCapacity: true)
      slotHead = 0
    } else if slotHead > 4_096, slotHead * 2 > slots.count {
      slots.removeFirst(slotHead)
      slotHead = 0
    }
    if blockHead > 1_024 {
      blockEnds.removeFirst(blockHead)
      blockHead = 0
    }
  }

  private func write(_ record: NormalizationRecord, index: Int) {
    formatter.write(record, index: index, to: out)
    switch record.result {
    case .success:
      tally.normalized += 1
    case .failure(let error):
      tally.failuresByCode[error.code.rawValue, default: 0] += 1
      if configuration.format != .jsonl && !configuration.explain {
        err.append("normalize: input ")
        err.appendInteger(index)
        err.append(": ")
        err.append(error.code.rawValue)
        err.append(": ")
        err.append(error.message)
        err.append(UInt8(ascii: "\n"))
      }
    }
    if configuration.explain { Explainer.write(record, index: index, to: err) }
    err.flushIfNeeded()
  }

  private func writePlan(_ prepared: FallbackChain.PreparedInput, index: Int) {
    let names = prepared.candidates.map(\.name)
    if names.isEmpty {
      let code: ErrorCode = prepared.link == nil ? .noLink : .unsupported
      tally.failuresByCode[code.rawValue, default: 0] += 1
      if configuration.format != .jsonl {
        err.append("normalize: input ")
        err.appendInteger(index)
        err.append(": \(code.rawValue): no handler would take this input\n")
      }
    } else {
      tally.normalized += 1
    }
    switch configuration.format {
    case .text:
      out.append(names.joined(separator: ","))
    case .tsv:
      out.appendInteger(index)
      out.append(UInt8(ascii: "\t"))
      out.append(prepared.link?.text ?? "")
      out.append(UInt8(ascii: "\t"))
      out.append(names.joined(separator: ","))
    case .jsonl:
      out.append("{\"input\":")
      out.appendJSONString(prepared.input)
      out.append(",\"url\":")
      out.appendJSONStringOrNull(prepared.link?.text)
      out.append(",\"handlers\":[")
      for (i, name) in names.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(name)
      }
      out.append("]}")
    }
    out.append(UInt8(ascii: "\n"))
  }
}

/// Reads the input segments on its own thread and sends blocks of inputs to the run. Waits for a
/// window permit before each block, so it never reads far ahead of what has been written.
struct InputPump: @unchecked Sendable {
  let segments: [InputSegment]
  let fd: Int32
  let maxLineBytes: Int
  let permits: DispatchSemaphore
  let continuation: AsyncStream<BatchRunner.Event>.Continuation

  func run() {
    var index = 1
    var stdinRead = false
    for segment in segments {
      switch segment {
      case .arguments(let texts):
        var block: [InputItem] = []
        for text in texts {
          block.append(InputItem(index: index, content: .text(text)))
          index += 1
          if block.count == 1_024 {
            if !send(block) { return }
            block = []
          }
        }
        if !block.isEmpty, !send(block) { return }
      case .standardInput:
        guard !stdinRead else { continue }
        stdinRead = true
        var splitter = LineSplitter(maxLineBytes: maxLineBytes, firstIndex: index)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
          let n = read(fd, buffer.baseAddress, buffer.count)
          if n < 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            continuation.yield(.inputFailed("cannot read standard input: \(message)"))
            return
          }
          var block: [InputItem] = []
          if n == 0 {
            splitter.finish(into: &block)
            if !block.isEmpty, !send(block) { return }
            break
          }
          splitter.feed(UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n), into: &block)
          if !block.isEmpty, !send(block) { return }
        }
        index = splitter.nextIndex
      }
    }
    continuation.yield(.inputEnded)
  }

  /// Waits for window room, then sends; false when the run has stopped listening.
  private func send(_ block: [InputItem]) -> Bool {
    permits.wait()
    if case .terminated = continuation.yield(.inputs(block)) { return false }
    return true
  }
}
