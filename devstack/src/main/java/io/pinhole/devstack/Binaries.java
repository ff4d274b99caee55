package io.pinhole.devstack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds executables on PATH (and in the usual Debian locations, which a minimal PATH may lack). */
final class Binaries {

    private Binaries() {}

    static Optional<Path> find(String executable) {
        final List<String> directories = new ArrayList<>();
        final String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        directories.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            final Path candidate = Path.of(directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The executable, or a failure that says exactly what to install. */
    static Path require(String executable, String debianPackage) {
        return find(executable).orElseThrow(() -> new IllegalStateException(executable
                + " was not found on PATH. Install it with:  sudo apt-get install -y " + debianPackage
                + "  (./pinhole does this by itself when run as root on Debian)"));
    }
}
