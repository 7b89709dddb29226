# Synthesis: realist (CMO configurations by programme-theory component, strength of
# support), best-fit framework and narrative tables, and the logic model, all from the
# validated extraction dataset.


rule synthesise_evidence:
    input:
        dataset=SYNTHESIS.dataset,
    output:
        cmo=report(
            SYNTHESIS.cmo,
            caption="../report/synthesis_cmo.rst",
            category="Synthesis",
            labels={"table": "CMO configurations"},
        ),
        components=report(
            SYNTHESIS.components,
            caption="../report/synthesis_programme_theory.rst",
            category="Synthesis",
            labels={"table": "programme theory"},
        ),
        framework_coding=SYNTHESIS.framework_coding,
        framework_themes=report(
            SYNTHESIS.framework_themes,
            caption="../report/synthesis_framework.rst",
            category="Synthesis",
            labels={"table": "framework themes"},
        ),
        narrative=report(
            SYNTHESIS.narrative,
            caption="../report/synthesis_narrative.rst",
            category="Synthesis",
            labels={"table": "narrative synthesis"},
        ),
        logic_model_edges=SYNTHESIS.logic_model_edges,
        logic_model_svg=report(
            SYNTHESIS.logic_model_svg,
            caption="../report/logic_model.rst",
            category="Synthesis",
            labels={"figure": "logic model"},
        ),
        logic_model_png=SYNTHESIS.logic_model_png,
        summary=SYNTHESIS.summary,
        audit=SYNTHESIS.audit,
    log:
        "results/logs/synthesis/synthesise_evidence.log",
    benchmark:
        "results/benchmarks/synthesis/synthesise_evidence.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        synthesis=lookup(dpath="synthesis", within=config),
        theory_components=lookup(dpath="extraction/theory_components", within=config),
    script:
        "../scripts/synthesise_evidence.py"
