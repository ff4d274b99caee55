package io.pinhole.devstack.solr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.core.CoreDescriptor;
import org.apache.solr.core.FileSystemConfigSetService;

/**
 * Gives every core its own copy of the configset it was created from, as {@code bin/solr create} does.
 *
 * <p>Stock standalone Solr points every core created with {@code configSet=X} at the one shared directory
 * {@code configsets/X/conf}. With a managed schema that is a trap: the Schema API of one core rewrites the shared
 * {@code managed-schema.xml} from that core's in-memory schema, silently dropping the fields another core added, which
 * that core then loses at the next restart. Here the first load of such a core copies {@code configsets/X/conf} into
 * {@code <instanceDir>/conf} and the core uses its copy from then on, so cores are independent and CoreAdmin
 * {@code action=CREATE&configSet=X} keeps working unchanged (SolrCloud copies configsets per collection the same way).
 *
 * <p>Installed through {@code <str name="configSetService">} in the solr.xml that {@link SolrRunnerMain} writes.
 */
public final class CopyOnCreateConfigSetService extends FileSystemConfigSetService {

    public CopyOnCreateConfigSetService(CoreContainer container) {
        super(container);
    }

    @Override
    protected Path locateInstanceDir(CoreDescriptor descriptor) {
        if (descriptor.getConfigSet() == null) {
            return super.locateInstanceDir(descriptor);
        }
        final Path instanceDir = descriptor.getInstanceDir();
        final Path conf = instanceDir.resolve("conf");
        if (Files.notExists(conf)) {
            final Path shared = super.locateInstanceDir(descriptor).resolve("conf");
            try {
                Files.createDirectories(instanceDir);
                // Copy beside, then rename: a crash half-way never leaves a core with half a config.
                final Path partial = Files.createTempDirectory(instanceDir, "conf-");
                copyTree(shared, partial);
                Files.move(partial, conf, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("could not copy configset " + shared + " to " + conf, e);
            }
        }
        return instanceDir;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                final Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
