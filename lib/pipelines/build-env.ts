/** Where a build's environment variable takes its value from: a literal, a Secret's key or a ConfigMap's. */
export interface EnvVarJson {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}

export abstract class BuildEnvValue {
  /** A value written into the Task. Never a secret: the policy checks keep secrets out of charts. */
  public static fromLiteral(value: string): BuildEnvValue {
    return new (class extends BuildEnvValue {
      public toEnvVar(name: string): EnvVarJson {
        return { name, value };
      }
    })(`"${value}"`);
  }

  /** A key of a Secret that something other than the chart creates. */
  public static fromSecret(secretName: string, key: string): BuildEnvValue {
    return new (class extends BuildEnvValue {
      public toEnvVar(name: string): EnvVarJson {
        return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
      }
    })(`Secret ${secretName}, key ${key}`, secretName);
  }

  /** A key of a ConfigMap. */
  public static fromConfigMap(configMapName: string, key: string): BuildEnvValue {
    return new (class extends BuildEnvValue {
      public toEnvVar(name: string): EnvVarJson {
        return { name, valueFrom: { configMapKeyRef: { name: configMapName, key } } };
      }
    })(`ConfigMap ${configMapName}, key ${key}`);
  }

  /**
   * @param description how the value reads in messages
   * @param secretName the Secret it reads, which the build's ServiceAccount needs nothing for (kubelet
   *   reads it) but which a reader of the chart should see
   */
  protected constructor(
    public readonly description: string,
    public readonly secretName?: string,
  ) {}

  /** The container env entry that sets `name` to this value. */
  public abstract toEnvVar(name: string): EnvVarJson;
}
