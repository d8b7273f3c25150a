// Makes the built-in core image at build time (ARCHITECTURE.md, "The built-in
// core image"): runs amber-core-image, which links AmberVM, bootstraps the
// core library and writes it as a Swift source for the target this plugin is
// applied to (AmberCoreImage). The tool is an input of the command, so any
// change to AmberVM (the prelude, a layout, a native) makes a new image.
import PackagePlugin

@main
struct CoreImagePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "amber-core-image")
        let output = context.pluginWorkDirectoryURL.appending(path: "CoreImage.swift")
        return [
            .buildCommand(displayName: "Bootstrapping the core library into the built-in image",
                          executable: tool.url, arguments: [output.path],
                          inputFiles: [tool.url], outputFiles: [output]),
        ]
    }
}
