package dev.ttstack.operator.kit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stack's secret key/value pairs, with the hashes other components put on their pod templates.
 * {@link #toString()} never shows a value.
 */
public final class SecretContent {
  /**
   * Doppler adds these to every download; they describe the config and are not the app's secrets.
   */
  static final Set<String> DOPPLER_META_KEYS =
      Set.of("DOPPLER_PROJECT", "DOPPLER_CONFIG", "DOPPLER_ENVIRONMENT");

  private final Map<String, String> values;

  private SecretContent(Map<String, String> values) {
    this.values = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }

  /** A Doppler download without Doppler's own metadata keys. */
  public static SecretContent fromDoppler(Map<String, String> download) {
    Map<String, String> filtered = new TreeMap<>(download);
    DOPPLER_META_KEYS.forEach(filtered::remove);
    return new SecretContent(filtered);
  }

  /** The content of a Secret's {@code data} (base64) and {@code stringData}. */
  public static SecretContent fromSecretData(
      Map<String, String> data, Map<String, String> stringData) {
    Map<String, String> values = new TreeMap<>();
    if (data != null) {
      data.forEach(
          (k, v) ->
              values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (stringData != null) {
      values.putAll(stringData);
    }
    return new SecretContent(values);
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public int size() {
    return values.size();
  }

  /** The plain values (a copy); for writing, never for printing. */
  public Map<String, String> asMap() {
    return new TreeMap<>(values);
  }

  /** The Secret {@code data} map: every value base64-encoded. */
  public Map<String, String> asSecretData() {
    Map<String, String> data = new TreeMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  /** Hash of the whole content. */
  public String hash() {
    return hashOf(values.keySet());
  }

  /**
   * Hash of only these keys (absent ones count as absent), so a component restarts only when a key
   * it consumes changes, and an unchanged re-sync restarts nothing.
   */
  public String hashOf(Collection<String> keys) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String key : new java.util.TreeSet<>(keys)) {
        String value = values.get(key);
        // Length-prefixed so that no two different maps hash alike ("a=bc" vs "ab=c").
        update(digest, key);
        update(digest, value == null ? "\u0000absent" : value);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest digest, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  @Override
  public String toString() {
    return "SecretContent" + values.keySet(); // keys only
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretContent other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}
