package io.finsent.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loopback ports and data directories, checked before anything starts so a failure names its cause. */
final class Loopback {

    static final String HOST = "127.0.0.1";

    private Loopback() {
    }

    /** The port itself when free, a free port for 0; a clear error when taken. */
    static int claim(int port, String what, String flag) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new LocalStackException(what + " port " + port + " on " + HOST + " is already in use"
                    + " (another broker or database, or an earlier run still going?). Stop whatever listens there"
                    + " (e.g. `ss -ltnp 'sport = :" + port + "'`) or choose another port with " + flag + ".");
        }
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates the directory if needed and proves it writable by writing a file in it. */
    static Path writableDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (IOException | SecurityException e) {
            throw new LocalStackException("data directory " + dir.toAbsolutePath() + " is not writable (" + e
                    + "). Choose another one with --data-dir, or fix its permissions.", e);
        }
    }
}
