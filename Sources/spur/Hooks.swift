import ArgumentParser
import Foundation
import SpurKit

struct Hooks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install or remove spur's hooks for Claude Code and git.",
        subcommands: [HooksInstall.self, HooksUninstall.self]
    )
}

/// Which integrations a hooks command acts on.
struct HookTargets: ParsableArguments {
    @Flag(help: "Claude Code: the project's .claude/settings.json.")
    var claude = false

    @Flag(help: "git: the pre-commit hook (in core.hooksPath or the git directory's hooks/).")
    var git = false

    @Flag(help: "Say what would change; change nothing.")
    var dryRun = false
}

struct HooksInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install spur's hooks: --claude, --git, or both.",
        discussion: """
        --claude merges spur's hooks (hooks/claude/settings.json) into the project's
        .claude/settings.json, keeping every setting and hook already there; running it again
        changes nothing. --git installs the pre-commit hook; a pre-commit hook already there is
        kept and runs first. Both call 'spur' on PATH; the Bash hooks call 'spur-hook' when it
        is on PATH (it answers most Bash calls without starting spur), and running the install
        again after spur-hook was installed or removed switches them to match.

        --claude --worktrees also makes spur Claude Code's worktree provider
        (opt-in): it adds WorktreeCreate, SubagentStop and Stop. WorktreeCreate
        replaces Claude Code's own worktree creation, for subagents with isolation:
        worktree, 'claude --worktree' and background sessions: each gets a lane
        holding a snapshot of your working tree (with your uncommitted edits)
        instead of a checkout of HEAD, and Claude Code no longer copies
        .worktreeinclude files itself (spur does, as for any lane). When the agent
        stops, its work becomes the lane's result; 'spur merge NAME' brings it into
        your tree (git config spur.claudeOnFinish=merge does that automatically when
        clean). 'spur hooks uninstall --claude' takes these out too.

        Examples:
          spur hooks install --claude --dry-run
          spur hooks install --claude --git
          spur hooks install --claude --worktrees
        """
    )

    @OptionGroup var targets: HookTargets

    @Flag(help: "With --claude: make spur Claude Code's worktree provider (WorktreeCreate, SubagentStop, Stop).")
    var worktrees = false

    func run() throws {
        try runReportingErrors {
            guard targets.claude || targets.git else { throw SpurError.usage("say which hooks to install: --claude, --git, or both") }
            if worktrees && !targets.claude { throw SpurError.usage("--worktrees adds Claude Code hooks; give it with --claude") }
            let workspace = try currentWorkspace()
            let would = targets.dryRun ? "would " : ""
            if targets.claude {
                let installer = ClaudeSettingsInstaller(workspace: workspace)
                let fast = ClaudeSettingsInstaller.fastHookOnPath(ProcessInfo.processInfo.environment["PATH"])
                let change = try installer.planInstall(worktrees: worktrees, fastBash: fast)
                if change.changesFile {
                    if !targets.dryRun { try installer.apply(change) }
                    if !change.events.isEmpty {
                        print("\(targets.dryRun ? "would add" : "added") spur's Claude Code hooks (\(change.events.joined(separator: ", "))) to \(change.path)")
                    }
                    if !change.switchedBash.isEmpty {
                        print("\(targets.dryRun ? "would switch" : "switched") the Bash hooks (\(change.switchedBash.joined(separator: ", "))) "
                            + "to \(fast ? "spur-hook" : "'spur hook claude'") in \(change.path)")
                    }
                    if targets.dryRun, let after = change.after { print(after, terminator: "") }
                } else {
                    print("spur's Claude Code hooks are already in \(change.path)")
                }
                if change.changesFile && !fast {
                    Terminal.warning("spur-hook is not on PATH, so the Bash hooks run 'spur hook claude' (a slower start "
                        + "for every Bash call); install spur-hook beside spur and run this again")
                }
            }
            if targets.git {
                let installer = try GitHookInstaller(workspace: workspace)
                switch try installer.install(dryRun: targets.dryRun) {
                case .installed(let chained):
                    print("\(would)install\(targets.dryRun ? "" : "ed") the pre-commit hook \(installer.hookPath)"
                        + (chained ? "; the hook that was there \(would.isEmpty ? "runs" : "would run") first, as \(installer.chainedPath)" : ""))
                case .updated:
                    print("\(would)update\(targets.dryRun ? "" : "d") spur's pre-commit hook \(installer.hookPath)")
                default:
                    print("spur's pre-commit hook is already installed: \(installer.hookPath)")
                }
            }
        }
    }
}

struct HooksUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove spur's hooks (both, unless --claude or --git says which).",
        discussion: """
        Takes spur's hooks out of .claude/settings.json, leaving everything else (the file goes
        when nothing else was in it), and removes the pre-commit hook, putting back the hook
        it was chained to.
        """
    )

    @OptionGroup var targets: HookTargets

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let both = !targets.claude && !targets.git
            let would = targets.dryRun ? "would " : ""
            if targets.claude || both {
                let installer = ClaudeSettingsInstaller(workspace: workspace)
                let change = try installer.planUninstall()
                if change.changesFile {
                    if !targets.dryRun { try installer.apply(change) }
                    let removedFile = change.after == nil ? " (the file held nothing else and \(would.isEmpty ? "is" : "would be") removed)" : ""
                    print("\(targets.dryRun ? "would remove" : "removed") spur's Claude Code hooks (\(change.events.joined(separator: ", "))) from \(change.path)\(removedFile)")
                } else {
                    print("no spur hooks in \(change.path)")
                }
            }
            if targets.git || both {
                let installer = try GitHookInstaller(workspace: workspace)
                switch try installer.uninstall(dryRun: targets.dryRun) {
                case .removed(let restored):
                    print("\(targets.dryRun ? "would remove" : "removed") spur's pre-commit hook \(installer.hookPath)"
                        + (restored ? "; the chained hook \(would.isEmpty ? "is" : "would be") back in its place" : ""))
                default:
                    print("spur's pre-commit hook is not installed in \(installer.directory)")
                }
            }
        }
    }
}
