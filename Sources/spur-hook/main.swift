import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

// `spur-hook claude`: Claude Code's Bash hooks, fast. A process starts for every Bash call's
// PreToolUse and PostToolUse; this one links neither libgit2 nor Foundation, so it starts in
// a millisecond or two, answers the common cases itself (`BashFastPath`) and hands every
// other event to `spur hook claude` (`HandOff`), which answers it as always.

let help = """
    usage: spur-hook claude < EVENT.json

    Answers one Claude Code hook event (JSON on standard input) exactly as
    'spur hook claude' does, faster for Bash: PreToolUse while spur's stat cache
    holds, and PostToolUse (or PostToolUseFailure) when the command changed no
    file a live lane changed. Any other event, and anything it cannot settle
    without libgit2, runs 'spur hook claude' (the spur installed beside it, or
    the one on PATH) with the same input.

    'spur hooks install --claude' names it in .claude/settings.json for the Bash
    hooks when it is on PATH.

    """

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--help"] || arguments == ["-h"] {
    print(help, terminator: "")
    exit(0)
}
// Exit 1, not 2: Claude Code takes a hook's exit 2 as "block the call", and a hook line
// mistyped in the settings must not block every Bash call.
guard arguments == ["claude"] else {
    HandOff.writeStandardError("spur-hook: expected 'spur-hook claude' (see spur-hook --help)")
    exit(1)
}
guard let payload = PlainFile.readStandardInput() else { HandOff.failOpen("cannot read the hook input") }
if let event = BashHookEvent(payload: payload),
   // A variable that is set is never taken as unset (its value decoded with replacement).
   BashFastPath(event: event, environment: { name in getenv(name).map { String(cString: $0) } }).run() == .answered {
    exit(0)
}
HandOff.run(payload: payload)
