package dev.ttstack.operator.support;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * Quantities as the API server stores them. The server keeps the numerical value of a quantity but
 * rewrites its spelling into a canonical form ({@code 1.5Gi} is stored as {@code 1536Mi}, {@code
 * 2048Mi} as {@code 2Gi}, {@code 0.5} as {@code 500m}, {@code 1000m} as {@code 1}). With
 * Server-Side Apply, JOSDK's matcher compares the desired object with the stored one field by
 * field, as text: a desired object that spells a quantity differently never matches, and the object
 * is re-applied on every reconcile (seen on the real API server: a StatefulSet with a {@code
 * volumeClaimTemplates} size of {@code 1.5Gi} was patched on every reconcile; JOSDK 5.3.2 only
 * forgives different spellings in containers' resources). So the desired-state builders spell every
 * quantity the server's way, once, here.
 *
 * <p>The rules are those of Kubernetes' {@code resource.Quantity} ({@code CanonicalizeBytes}): the
 * suffix family of the input is kept (binary {@code Ki..Ei} or decimal {@code m, k, M, ...}); a
 * binary amount is written with the largest power of 1024 that leaves a whole number, and falls
 * back to decimal below 1024 or when it is not a whole number of units; a decimal amount is written
 * with the largest power of 1000 (from {@code n} to {@code E}) that leaves a whole number.
 */
public final class Quantities {
  private static final List<String> BINARY = List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");

  /** Decimal suffixes by exponent / 3 + 3: n (1e-9) ... E (1e18). */
  private static final List<String> DECIMAL =
      List.of("n", "u", "m", "", "k", "M", "G", "T", "P", "E");

  private static final BigDecimal KIBI = BigDecimal.valueOf(1024);

  private Quantities() {}

  /** A {@link Quantity} spelled as the API server will store it. */
  public static Quantity of(String amount) {
    return new Quantity(canonical(amount));
  }

  /**
   * The API server's spelling of {@code amount}; an amount outside the forms the CRD accepts
   * (exponents, more precision than nano units, beyond exa) is returned as it is.
   */
  public static String canonical(String amount) {
    String text = amount.trim();
    int split = 0;
    while (split < text.length()
        && (Character.isDigit(text.charAt(split))
            || text.charAt(split) == '.'
            || (split == 0 && (text.charAt(0) == '-' || text.charAt(0) == '+')))) {
      split++;
    }
    String suffix = text.substring(split);
    BigDecimal number;
    try {
      number = new BigDecimal(text.substring(0, split));
    } catch (NumberFormatException e) {
      return amount;
    }
    BigDecimal value;
    boolean binary = BINARY.indexOf(suffix) > 0;
    if (binary) {
      value = number.multiply(KIBI.pow(BINARY.indexOf(suffix)));
    } else if (DECIMAL.contains(suffix)) {
      value = number.scaleByPowerOfTen(3 * (DECIMAL.indexOf(suffix) - 3));
    } else {
      return amount; // exponent notation: not accepted by the CRD's patterns
    }
    if (value.signum() == 0) {
      return "0";
    }
    if (binary && value.abs().compareTo(KIBI) >= 0 && isWhole(value)) {
      BigInteger whole = value.toBigIntegerExact();
      int exponent = 0;
      BigInteger k = BigInteger.valueOf(1024);
      while (exponent < BINARY.size() - 1 && whole.mod(k).signum() == 0) {
        whole = whole.divide(k);
        exponent++;
      }
      return whole + BINARY.get(exponent);
    }
    // Decimal: the largest exponent (a multiple of 3) for which the mantissa is a whole number.
    for (int i = DECIMAL.size() - 1; i >= 0; i--) {
      BigDecimal mantissa = value.scaleByPowerOfTen(-3 * (i - 3));
      if (isWhole(mantissa)) {
        return mantissa.toBigIntegerExact() + DECIMAL.get(i);
      }
    }
    return amount; // finer than nano units: the server would round it; leave it to the server
  }

  private static boolean isWhole(BigDecimal value) {
    return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
  }
}
