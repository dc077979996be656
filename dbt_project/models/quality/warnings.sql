with

warned_rows as (

    select * from {{ source('ingest', 'warned_rows') }}

),

final as (

    -- Counts only: which rows were warned, and why, stays in the unit's feedback.
    select
        unit_code,
        file,
        rule,
        cast(count(*) as bigint) as rows_warned
    from warned_rows
    group by
        unit_code,
        file,
        rule

)

select * from final
