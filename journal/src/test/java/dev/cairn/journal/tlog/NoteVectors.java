package dev.cairn.journal.tlog;

import java.util.Arrays;
import java.util.Base64;

/**
 * Known answers for signed notes: the example of the C2SP signed-note specification (c2sp.org/signed-note) and the
 * keys and signatures of Go's golang.org/x/mod/sumdb/note tests, the reference implementation of the format. Only
 * the values are reproduced here.
 */
final class NoteVectors {

    private NoteVectors() {
    }

    /** From the C2SP specification's example. */
    static final String EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    static final String EXAMPLE_NOTE = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq"
            + "6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    /** From golang.org/x/mod/sumdb/note's tests. */
    static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    /** The private key of PETER_VKEY as Go writes it: PRIVATE+KEY+name+id+base64(0x01 || 32-byte seed). */
    static final String PETER_SKEY_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
            + "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    static final String ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01"
            + "oOTGwnWLox33WWd1RvMc+QQ=\n";

    /** The 32-byte seed of PeterNeumann's key. */
    static byte[] peterSeed() {
        byte[] all = Base64.getDecoder().decode(PETER_SKEY_B64);
        return Arrays.copyOfRange(all, 1, all.length);
    }

    /** The 32-byte public key of PeterNeumann's key. */
    static byte[] peterPublic() {
        byte[] all = Base64.getDecoder().decode(PETER_VKEY.split("\\+")[2]);
        return Arrays.copyOfRange(all, 1, all.length);
    }
}
