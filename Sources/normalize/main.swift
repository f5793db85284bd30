import NormalizeCommand

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

exit(await NormalizeCommand.main(Array(CommandLine.arguments.dropFirst())))
